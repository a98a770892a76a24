// The waiting-room board: a live view of GET /api/queue/board/events (server-sent events). The
// browser reconnects by itself after a drop; the server then sends a full snapshot (resync).
const $ = (id) => document.getElementById(id);
const serviceNames = {
  RESET_PASSWORD: 'Reset kata sandi',
  USER_ID_INFO: 'Informasi user ID',
  OTHER: 'Layanan lain',
};
let lastCall = null;
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
  const now = board.current;
  $('number').textContent = now ? now.queueNumber : '—';
  $('desk').textContent = now ? `menuju ${now.desk}` : 'Silakan menunggu';
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
    .map(
      (s) =>
        `${serviceNames[s.service] ?? s.service}: ${s.waiting} menunggu (±${s.estimatedWaitMinutes} menit)`,
    )
    .join(' · ');
  // Chime only for a call newer than any seen (not when an older call moves up, nor on a resync).
  const at = now ? Date.parse(now.calledAt) : 0;
  if (lastCall !== null && at > lastCall) chime();
  lastCall = Math.max(lastCall ?? 0, at);
}

const events = new EventSource('/api/queue/board/events');
events.addEventListener('board', (e) => {
  $('status').textContent = '';
  render(JSON.parse(e.data));
});
events.addEventListener('error', () => {
  $('status').textContent = 'Koneksi terputus, menyambungkan ulang…';
});

setInterval(() => {
  $('clock').textContent = new Date().toLocaleTimeString('id-ID', {
    hour: '2-digit',
    minute: '2-digit',
  });
}, 1000);
