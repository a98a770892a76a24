import type { CustomerWindow } from '../outbound';
import { TransportError } from '../transport';

/**
 * The whatsapp-web.js and simulator transports have no Meta-approved templates and no 24-hour
 * customer-service window: their outbound worker is given this window, so every notice goes as
 * the full text Loket rendered from templates/whatsapp (`sendText`), never as `sendTemplate`.
 */
export const alwaysOpenWindow: CustomerWindow = { isOpen: () => Promise.resolve(true) };

/** What `sendTemplate` answers on those transports (permanent: retrying cannot help). */
export const templateUnsupported = () =>
  new TransportError(
    true,
    'TEMPLATE_UNSUPPORTED',
    'this transport sends the notice text; give its outbound worker alwaysOpenWindow',
  );
