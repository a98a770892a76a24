import { useState } from 'preact/hooks';
import { api } from '../api';
import { formatDateTime, t, tOr, useLang } from '../i18n';
import { ErrorBox, Section, useAsync, useInterval } from '../ui';

interface WebSession {
  transport: string;
  state: string;
  reason: string | null;
  updatedAt: string | null;
  qrSvg: string | null;
}

/**
 * The whatsapp-web.js session (SUPERVISOR): its state and, while pairing is needed, the QR to scan
 * with the help line's phone. The QR is an SVG shown in an <img>, so it runs nothing.
 */
export function WhatsAppPage() {
  useLang();
  const session = useAsync(() => api<WebSession>('GET', '/whatsapp/session'), []);
  const [requested, setRequested] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useInterval(() => {
    session.reload();
  }, 3000);
  const s = session.data;
  const pair = async () => {
    setError(null);
    try {
      await api('POST', '/whatsapp/session/pair');
      setRequested(true);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <div>
      <h1>{t('whatsapp.title')}</h1>
      <Section title={t('whatsapp.state')} id="wa-state">
        <ErrorBox error={error ?? session.error} />
        {s && (
          <>
            <p>
              <strong data-testid="wa-state">{tOr(`whatsapp.state.${s.state}`, s.state)}</strong>
              {s.reason ? ` (${s.reason})` : ''}
            </p>
            <p class="muted">{tOr(`whatsapp.help.${s.state}`, '')}</p>
            {s.transport !== 'web' && <p class="muted">{t('whatsapp.notWeb')}</p>}
            {s.qrSvg && (
              <img
                class="qr"
                alt={t('whatsapp.qrAlt')}
                src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(s.qrSvg)}`}
                width={264}
                height={264}
              />
            )}
            {s.state === 'needs_pairing' && !s.qrSvg && (
              <button type="button" class="primary" onClick={() => void pair()}>
                {t('whatsapp.pair')}
              </button>
            )}
            {requested && <p role="status">{t('whatsapp.requested')}</p>}
            {s.updatedAt && (
              <p class="muted">{t('whatsapp.updated', { at: formatDateTime(s.updatedAt) })}</p>
            )}
          </>
        )}
      </Section>
    </div>
  );
}
