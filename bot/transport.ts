/** What the outbound sender needs of a WhatsApp transport (Cloud API, whatsapp-web.js). */
export interface OutboundTransport {
  readonly name: string;
  /** Free text; only inside the 24-hour customer-service window on the Cloud API. */
  sendText(to: string, text: string): Promise<{ messageId: string }>;
  /** An approved template; allowed at any time. */
  sendTemplate(
    to: string,
    template: { name: string; language: string; parameters: string[] },
  ): Promise<{ messageId: string }>;
}

/** A send the transport refused or could not finish. */
export class TransportError extends Error {
  constructor(
    /** Retrying the same message cannot help (invalid number, template not approved, ...). */
    readonly permanent: boolean,
    /** Stable, upper case: CLOUD_131026, HTTP_503, NETWORK, NOT_A_PHONE, ... */
    readonly code: string,
    detail: string,
    /** The request may have gone through (a timeout after sending). */
    readonly uncertain = false,
  ) {
    super(detail);
    this.name = 'TransportError';
  }
}

/**
 * The shared inbound contract of every chat transport (Cloud API, whatsapp-web.js, the web chat
 * simulator). A transport turns what its provider delivers into `InboundMessage`s (plain data:
 * they are queued and kept in Redis, so no functions or buffers) and hands them to one handler,
 * the bot's dispatcher, which dedupes by `id`, keeps each chat's order and runs the conversation.
 */
export type TransportName = 'cloud' | 'web' | 'simulator';

export type InboundKind =
  | 'text'
  | 'choice' // an interactive list or button reply
  | 'image'
  | 'document'
  | 'audio' // voice notes too
  | 'video'
  | 'sticker'
  | 'location'
  | 'contacts'
  | 'unsupported';

export interface InboundMedia {
  /** The provider's handle to fetch it with (Cloud API media id, whatsapp-web.js message id). */
  ref: string;
  /** What the sender's client claims; the document rules check the content anyway. */
  mimeType: string;
  fileName?: string;
  /** Bytes, when the provider says so before the download (to refuse a 50 MB video early). */
  size?: number;
}

export interface InboundMessage {
  transport: TransportName;
  /** The provider's message id (wamid, whatsapp-web.js serialized id, simulator uuid): dedupe key. */
  id: string;
  /**
   * Opaque reply address and conversation key: the Cloud API's wa_id or business-scoped user id,
   * whatsapp-web.js's `…@c.us` / `…@lid`, the simulator's `sim:<uuid>`. Never parsed for meaning.
   */
  chatId: string;
  /** The sender's number in E.164 digits without '+', when the transport knows it. */
  phone?: string;
  /** Sender's display name as the provider gives it (a claim, for greetings only). */
  profileName?: string;
  /** Milliseconds since the epoch, as the provider stamped it. */
  timestamp: number;
  kind: InboundKind;
  /** A text message's body, or a media caption. */
  text?: string;
  /** For `choice`: the id of the list row or button the user picked. */
  choiceId?: string;
  media?: InboundMedia;
}

export type InboundHandler = (message: InboundMessage) => Promise<void>;

/** An interactive menu: a Cloud API list message; other transports render it as numbered text. */
export interface ChatMenu {
  body: string;
  /** The list's button label (Cloud API: at most 20 characters). */
  button: string;
  sections: { title: string; rows: { id: string; title: string; description?: string }[] }[];
}

/** A whole chat transport: the outbound half plus what the conversation needs. */
export interface ChatTransport extends OutboundTransport {
  readonly name: TransportName;
  /** Start receiving; every message goes to the handler (at least once: the handler dedupes). */
  start(handler: InboundHandler): Promise<void>;
  stop(): Promise<void>;
  sendMenu(to: string, menu: ChatMenu): Promise<{ messageId: string }>;
  /** Fetch a media payload; refuses (TransportError code MEDIA_TOO_LARGE) past maxBytes. */
  downloadMedia(media: InboundMedia, maxBytes: number): Promise<{ data: Buffer; mimeType: string }>;
}
