// The whatsapp-web.js session for SUPERVISORs: state and, while pairing is needed, the QR to
// scan with the help line's phone (WhatsApp > Linked devices). Polls GET /api/whatsapp/session
// with the console's access token. The QR is shown as an image (an SVG in an <img> runs nothing).
const $ = (id) => document.getElementById(id);
const text = {
  id: {
    title: 'Sesi WhatsApp (whatsapp-web.js)',
    lang: 'Bahasa',
    pair: 'Minta QR baru',
    qrAlt: 'Kode QR untuk menautkan ponsel layanan bantuan',
    updated: 'Diperbarui',
    signIn: 'Masuk ke konsol sebagai SUPERVISOR, lalu buka halaman ini lagi.',
    forbidden: 'Hanya SUPERVISOR yang dapat melihat sesi WhatsApp.',
    error: 'Tidak dapat memuat status.',
    requested: 'Permintaan terkirim; QR baru muncul dalam beberapa detik.',
    states: {
      offline: ['Bot tidak berjalan', 'Tidak ada proses bot yang memegang sesi.'],
      standby: ['Siaga', 'Instance lain memegang sesi.'],
      starting: ['Memulai…', 'Chromium dan WhatsApp Web sedang dimuat.'],
      needs_pairing: [
        'Perlu ditautkan',
        'Buka WhatsApp di ponsel layanan bantuan > Perangkat tertaut > Tautkan perangkat, lalu pindai QR ini.',
      ],
      authenticated: ['Terautentikasi', 'Menunggu WhatsApp Web siap.'],
      ready: ['Siap', 'Bot menerima dan membalas pesan.'],
      disconnected: ['Terputus', 'Bot mencoba menyambung lagi secara otomatis.'],
      stopped: ['Berhenti', 'Proses bot dihentikan.'],
    },
  },
  en: {
    title: 'WhatsApp session (whatsapp-web.js)',
    lang: 'Language',
    pair: 'Request a new QR',
    qrAlt: "QR code to link the help line's phone",
    updated: 'Updated',
    signIn: 'Sign in to the console as a SUPERVISOR, then open this page again.',
    forbidden: 'Only a SUPERVISOR can see the WhatsApp session.',
    error: 'Cannot load the state.',
    requested: 'Requested; a new QR appears in a few seconds.',
    states: {
      offline: ['Bot not running', 'No bot process holds the session.'],
      standby: ['Standby', 'Another instance holds the session.'],
      starting: ['Starting…', 'Chromium and WhatsApp Web are loading.'],
      needs_pairing: [
        'Pairing needed',
        "Open WhatsApp on the help line's phone > Linked devices > Link a device, then scan this QR.",
      ],
      authenticated: ['Authenticated', 'Waiting for WhatsApp Web to be ready.'],
      ready: ['Ready', 'The bot receives and answers messages.'],
      disconnected: ['Disconnected', 'The bot reconnects by itself.'],
      stopped: ['Stopped', 'The bot process was stopped.'],
    },
  },
};
let lang = sessionStorage.getItem('loket.lang') === 'en' ? 'en' : 'id';
let last = null;
const token = sessionStorage.getItem('loket.accessToken');

function render() {
  const t = text[lang];
  document.documentElement.lang = lang;
  $('title').textContent = t.title;
  $('lang-label').textContent = t.lang;
  $('pair').textContent = t.pair;
  if (!last) return;
  if (last.error) {
    $('state').textContent = last.error;
    $('help').textContent = '';
    $('qr').replaceChildren();
    $('pair').hidden = true;
    return;
  }
  const [label, help] = t.states[last.state] ?? [last.state, ''];
  $('state').textContent = label + (last.reason ? ` (${last.reason})` : '');
  $('help').textContent = help;
  if (last.qrSvg) {
    const img = document.createElement('img');
    img.alt = t.qrAlt;
    img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(last.qrSvg)}`;
    $('qr').replaceChildren(img);
  } else {
    $('qr').replaceChildren();
  }
  $('pair').hidden = !(last.state === 'needs_pairing' && !last.qrSvg);
  $('updated').textContent = last.updatedAt
    ? `${t.updated}: ${new Date(last.updatedAt).toLocaleString(lang === 'en' ? 'en-GB' : 'id-ID')}`
    : '';
}

async function load() {
  const t = text[lang];
  if (!token) {
    last = { error: t.signIn };
    return render();
  }
  try {
    const res = await fetch('/api/whatsapp/session', {
      headers: { authorization: `Bearer ${token}`, 'accept-language': lang },
    });
    if (res.status === 401) last = { error: t.signIn };
    else if (res.status === 403) last = { error: t.forbidden };
    else if (!res.ok) last = { error: t.error };
    else last = await res.json();
  } catch {
    last = { error: t.error };
  }
  render();
}

$('pair').addEventListener('click', async () => {
  const res = await fetch('/api/whatsapp/session/pair', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'accept-language': lang },
  });
  if (res.ok) $('help').textContent = text[lang].requested;
});
$('lang').value = lang;
$('lang').addEventListener('change', () => {
  lang = $('lang').value === 'en' ? 'en' : 'id';
  render();
  void load();
});
render();
void load();
setInterval(() => void load(), 3000);
