// The web chat simulator: the Helpus WhatsApp bot in a browser window. The session secret comes
// from the server, stays in this tab (sessionStorage) and travels in a header, never in a URL
// (the chat id the bot sees is no credential and is not kept). Replies arrive as server-sent
// events read with fetch (so the header can be sent), resumed from the last event id after a
// drop. The bot's words come from its templates; this file only holds the page's own labels. In
// the console, signing out removes every `loket.sim.*` key (src/console/web/src/session.ts).
const $ = (id) => document.getElementById(id);
const API = '/api/chat-simulator';
const store = window.sessionStorage;

// The page's own labels come from chat-messages.json (Bahasa Indonesia and English).
let labels = { id: {}, en: {} };

const params = new URLSearchParams(location.search);
let lang = (params.get('lang') ?? store.getItem('loket.sim.lang')) === 'en' ? 'en' : 'id';
const t = (key) => labels[lang][key] ?? key;

// Inside the console (a frame of this origin), the console hands over its access token by
// postMessage; it is kept in memory only. Standalone (the public demo), there is no token.
const embedded = params.has('embedded') && window.parent !== window;
// The API takes up to 2,000 characters a message on the public demo, more in the console.
if (!embedded) $('text').maxLength = 2000;
let consoleToken = null;
let tokenWaiters = [];
window.addEventListener('message', (e) => {
  if (e.origin !== location.origin || e.source !== window.parent) return;
  if (!e.data || e.data.type !== 'loket.token') return;
  consoleToken = typeof e.data.token === 'string' ? e.data.token : null;
  if (e.data.lang === 'en' || e.data.lang === 'id') {
    lang = e.data.lang;
    applyLabels();
  }
  for (const resolve of tokenWaiters) resolve();
  tokenWaiters = [];
});
/** Asks the console for a fresh token (after a 401); resolves when one arrives or in 3 s. */
function freshToken() {
  if (!embedded) return Promise.resolve();
  return new Promise((resolve) => {
    tokenWaiters.push(resolve);
    window.parent.postMessage({ type: 'loket.token?' }, location.origin);
    setTimeout(resolve, 3000);
  });
}
let session = store.getItem('loket.sim.session');
let lastEventId = store.getItem('loket.sim.lastEventId') ?? '';
// What this tab keeps to resume after a reload: the session secret, the last event id and the
// bot's replies. Never what the user typed (it may hold an NIK): those bubbles live in the page only.
let transcript = readReplies();
function readReplies() {
  try {
    const kept = JSON.parse(store.getItem('loket.sim.transcript') ?? '[]');
    return Array.isArray(kept) ? kept.filter((e) => e && e.from === 'bot') : [];
  } catch {
    return [];
  }
}
let stream = null;
let statusKey = 'connecting';

function headers(extra = {}) {
  const h = { 'accept-language': lang, ...extra };
  if (consoleToken) h.authorization = `Bearer ${consoleToken}`;
  if (session) h['x-chat-session'] = session;
  return h;
}

function setStatus(key, text) {
  statusKey = key;
  $('status').textContent = text ?? t(key);
}

function applyLabels() {
  document.documentElement.lang = lang;
  $('title').textContent = t('title');
  $('subtitle').textContent = t('subtitle');
  $('lang-label').textContent = t('langLabel');
  $('restart').textContent = t('restart');
  $('log').setAttribute('aria-label', t('log'));
  $('text-label').textContent = t('textLabel');
  $('text').placeholder = t('placeholder');
  $('attach').textContent = t('attach');
  $('send').textContent = t('send');
  if (labels[lang][statusKey]) setStatus(statusKey);
}

function save() {
  const replies = transcript.filter((e) => e.from === 'bot');
  store.setItem('loket.sim.transcript', JSON.stringify(replies.slice(-300)));
  store.setItem('loket.sim.lastEventId', lastEventId);
}

function bubble(entry) {
  const div = document.createElement('div');
  div.className = `msg ${entry.from}`;
  if (entry.type === 'menu') {
    div.append(entry.body);
    const menu = document.createElement('div');
    menu.className = 'menu';
    menu.setAttribute('role', 'group');
    menu.setAttribute('aria-label', entry.button);
    for (const section of entry.sections) {
      if (entry.sections.length > 1 && section.title) {
        menu.append(Object.assign(document.createElement('h2'), { textContent: section.title }));
      }
      for (const row of section.rows) {
        const b = document.createElement('button');
        b.type = 'button';
        b.append(row.title);
        if (row.description) {
          b.append(
            Object.assign(document.createElement('small'), { textContent: row.description }),
          );
        }
        b.addEventListener('click', () => {
          for (const other of menu.querySelectorAll('button')) other.disabled = true;
          void sendText(row.title, row.id);
        });
        menu.append(b);
      }
    }
    div.append(menu);
  } else {
    div.textContent = entry.text;
  }
  $('log').append(div);
  $('log').scrollTop = $('log').scrollHeight;
}

function add(entry) {
  transcript.push(entry);
  save();
  bubble(entry);
}

async function errorText(res) {
  try {
    const body = await res.json();
    return body.message ?? `HTTP ${res.status}`;
  } catch {
    return `HTTP ${res.status}`;
  }
}

async function openSession() {
  let res = await fetch(`${API}/sessions`, { method: 'POST', headers: headers() });
  if (res.status === 401 && embedded) {
    await freshToken();
    res = await fetch(`${API}/sessions`, { method: 'POST', headers: headers() });
  }
  if (res.status === 404) throw Object.assign(new Error(t('disabled')), { fatal: true });
  if (res.status === 401 || res.status === 403)
    throw Object.assign(new Error(t('signIn')), { fatal: true });
  if (!res.ok) throw new Error(await errorText(res));
  const body = await res.json();
  session = body.session;
  lastEventId = '';
  transcript = [];
  store.setItem('loket.sim.session', session);
  save();
}

/** Reads the event stream; resolves when it ends. */
async function listen() {
  const controller = new AbortController();
  stream = controller;
  const h = headers({ accept: 'text/event-stream' });
  if (lastEventId) h['last-event-id'] = lastEventId;
  const res = await fetch(`${API}/events`, { headers: h, signal: controller.signal });
  if (res.status === 401 && embedded) {
    await freshToken();
    throw new Error('token refreshed');
  }
  if (res.status === 404 || res.status === 400) {
    // The session expired (or the server forgot it): start a new one.
    session = null;
    store.removeItem('loket.sim.session');
    return;
  }
  if (!res.ok || !res.body) throw new Error(await errorText(res));
  setStatus('connected');
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let cut;
    while ((cut = buffer.indexOf('\n\n')) !== -1) {
      const frame = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let id = null;
      let event = 'message';
      const data = [];
      for (const line of frame.split('\n')) {
        if (line.startsWith('id: ')) id = line.slice(4);
        else if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (event !== 'reply' || data.length === 0) continue;
      try {
        const reply = JSON.parse(data.join('\n'));
        if (id) lastEventId = id;
        add({ from: 'bot', ...reply });
      } catch {
        // a malformed frame: skip it
      }
    }
  }
}

let loops = 0;
async function connect() {
  const mine = ++loops;
  let delay = 1000;
  while (mine === loops) {
    try {
      if (!session) await openSession();
      await listen();
      delay = 1000;
    } catch (err) {
      if (err.name === 'AbortError') return;
      if (err.fatal) {
        setStatus('error', err.message);
        $('text').disabled = $('send').disabled = $('attach').disabled = true;
        return;
      }
      setStatus('reconnecting');
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 30000);
  }
}

async function post(path, init) {
  if (!session) return;
  let res = await fetch(`${API}${path}`, { method: 'POST', ...init });
  if (res.status === 401 && embedded) {
    await freshToken();
    res = await fetch(`${API}${path}`, {
      method: 'POST',
      ...init,
      headers: { ...init.headers, ...headers() },
    });
  }
  if (!res.ok) add({ from: 'note', type: 'text', text: await errorText(res) });
  return res.ok;
}

async function sendText(text, choiceId) {
  if (!text.trim() && choiceId === undefined) return;
  add({ from: 'me', type: 'text', text });
  await post('/messages', {
    headers: headers({ 'content-type': 'application/json' }),
    body: JSON.stringify(choiceId === undefined ? { text } : { text, choiceId }),
  });
}

$('composer').addEventListener('submit', (e) => {
  e.preventDefault();
  const text = $('text').value;
  $('text').value = '';
  void sendText(text);
  $('text').focus();
});

// Enter sends, Shift+Enter starts a new line.
$('text').addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    $('composer').requestSubmit();
  }
});

$('attach').addEventListener('click', () => $('file').click());
$('file').addEventListener('change', async () => {
  const file = $('file').files[0];
  $('file').value = '';
  if (!file) return;
  const form = new FormData();
  const caption = $('text').value.trim();
  if (caption) form.append('caption', caption);
  $('text').value = '';
  form.append('file', file, file.name);
  add({
    from: 'me',
    type: 'text',
    text: `[${t('file')}: ${file.name}]${caption ? `\n${caption}` : ''}`,
  });
  await post('/files', { headers: headers(), body: form });
  $('attach').focus();
});

$('lang').addEventListener('change', () => {
  lang = $('lang').value === 'en' ? 'en' : 'id';
  store.setItem('loket.sim.lang', lang);
  applyLabels();
});

$('restart').addEventListener('click', () => {
  stream?.abort();
  // The old chat ends on the server too (its secret stops working, its streams close).
  if (session) {
    void fetch(`${API}/sessions`, { method: 'DELETE', headers: headers() }).catch(() => undefined);
  }
  session = null;
  store.removeItem('loket.sim.session');
  transcript = [];
  lastEventId = '';
  save();
  $('log').replaceChildren();
  add({ from: 'note', type: 'text', text: t('started') });
  void connect();
});

async function start() {
  try {
    labels = await (await fetch('chat-messages.json')).json();
  } catch {
    // the labels' keys stand in; the chat itself still works
  }
  applyLabels();
  $('lang').value = lang;
  for (const entry of transcript) bubble(entry);
  setStatus('connecting');
  // In the console, wait for its token before opening the session.
  if (embedded && !consoleToken) await freshToken();
  void connect();
}
void start();
