// The waiting-room board: a live view of GET /api/queue/board/events (server-sent events). The
// browser reconnects by itself after a drop; the server then sends a full snapshot (resync).
// Every text comes from board-messages.json: Bahasa Indonesia first, English beneath it.
const $ = (id) => document.getElementById(id);
let messages = { id: {}, en: {} };
const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, k) => String(values[k] ?? ''));
const t = (lang, key, values = {}) => fill(messages[lang][key] ?? key, values);
/** Indonesian, then English when it says something different. */
const both = (key, values = {}) => {
  const id = t('id', key, values);
  const en = t('en', key, values);
  return id === en ? id : `${id} · ${en}`;
};
let lastCall = null;
let lastBoard = null;
let connected = false;
let audio = null;

$('sound').addEventListener('click', () => {
  audio = new AudioContext();
  $('sound').remove();
});

function chime() {
  if (!audio) return;
  const t = audio.currentTime;
  for (const [i, freq] of [880, 660].entries()) {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, t + i * 0.45);
    gain.gain.exponentialRampToValueAtTime(0.4, t + i * 0.45 + 0.03);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + i * 0.45 + 0.4);
    osc.connect(gain).connect(audio.destination);
    osc.start(t + i * 0.45);
    osc.stop(t + i * 0.45 + 0.45);
  }
}

function render(board) {
  lastBoard = board;
  const now = board.current;
  $('number').textContent = now ? now.queueNumber : '—';
  $('desk').textContent = now ? t('id', 'toDesk', { desk: now.desk }) : both('pleaseWait');
  $('service').textContent = now
    ? `${t('id', `service.${now.service}`)} · ${t('en', `service.${now.service}`)}`
    : '';
  $('history').replaceChildren(
    ...board.called
      .filter((c) => !now || c.queueNumber !== now.queueNumber)
      .map((c) => {
        const li = document.createElement('li');
        li.append(
          c.queueNumber,
          Object.assign(document.createElement('span'), { textContent: c.desk }),
        );
        return li;
      }),
  );
  $('waiting').textContent = board.services
    .filter((s) => s.waiting > 0)
    .map((s) =>
      t('id', 'waiting', {
        service: t('id', `service.${s.service}`),
        count: s.waiting,
        minutes: s.estimatedWaitMinutes,
      }),
    )
    .join(' · ');
  // Chime only for a call newer than any seen (not when an older call moves up, nor on a resync).
  const at = now ? Date.parse(now.calledAt) : 0;
  if (lastCall !== null && at > lastCall) chime();
  lastCall = Math.max(lastCall ?? 0, at);
}

function applyTexts() {
  document.querySelectorAll('[data-t]').forEach((el) => {
    el.textContent = t('id', el.dataset.t);
  });
  document.querySelectorAll('[data-t-en]').forEach((el) => {
    el.textContent = t('en', el.dataset.tEn);
  });
  if (!connected) $('status').textContent = both('connecting');
  if (lastBoard) render(lastBoard);
}

fetch('board-messages.json')
  .then((r) => r.json())
  .then((m) => {
    messages = m;
    applyTexts();
  })
  .catch(() => undefined);

const events = new EventSource('/api/queue/board/events');
events.addEventListener('board', (e) => {
  connected = true;
  $('status').textContent = '';
  render(JSON.parse(e.data));
});
events.addEventListener('error', () => {
  connected = false;
  $('status').textContent = both('reconnecting');
});

setInterval(() => {
  $('clock').textContent = new Date().toLocaleTimeString('id-ID', {
    hour: '2-digit',
    minute: '2-digit',
  });
}, 1000);
