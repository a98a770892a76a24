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
