import { useEffect, useRef } from 'preact/hooks';
import { api } from '../api';
import { t, useLang } from '../i18n';
import { getAccessToken } from '../session';

/**
 * The web chat simulator inside the console: the standalone chat page in a frame of this origin.
 * The console hands it the current access token by postMessage (the page accepts it only from
 * its parent on this origin), so a simulator in staff mode works without another sign-in.
 */
export function ChatPage() {
  const lang = useLang();
  const frame = useRef<HTMLIFrameElement>(null);
  useEffect(() => {
    const send = () => {
      frame.current?.contentWindow?.postMessage(
        { type: 'loket.token', token: getAccessToken(), lang },
        location.origin,
      );
    };
    const onMessage = (e: MessageEvent) => {
      const data = e.data as { type?: string } | null;
      // The frame's token was refused (expired): one API call lets the console refresh it. Only
      // the chat frame itself may ask (this origin, that window).
      const fromFrame = e.source !== null && e.source === frame.current?.contentWindow;
      if (e.origin === location.origin && fromFrame && data?.type === 'loket.token?') {
        void api('GET', '/auth/me').finally(send);
      }
    };
    window.addEventListener('message', onMessage);
    const timer = setInterval(send, 60_000);
    send();
    return () => {
      window.removeEventListener('message', onMessage);
      clearInterval(timer);
    };
  }, [lang]);
  return (
    <div>
      <h1>{t('chat.title')}</h1>
      <p class="muted">{t('chat.hint')}</p>
      <iframe
        ref={frame}
        class="chat-frame"
        title={t('chat.title')}
        src={`/console/chat.html?embedded=1&lang=${lang}`}
      />
    </div>
  );
}
