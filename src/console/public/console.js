// Minimal sign-in page until the full console lands; it uses only the public REST API.
const form = document.getElementById('login');
const status = document.getElementById('status');
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  status.className = '';
  status.textContent = 'Memproses…';
  const body = { username: form.username.value, password: form.password.value };
  const res = await fetch('/api/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const data = await res.json();
  if (!res.ok) {
    status.className = 'err';
    status.textContent = data.message;
    return;
  }
  sessionStorage.setItem('loket.accessToken', data.accessToken);
  status.textContent = data.user.mustChangePassword
    ? 'Berhasil masuk. Anda wajib mengganti kata sandi (POST /api/auth/password).'
    : `Selamat datang, ${data.user.fullName} (${data.user.role}).`;
  if (data.user.role === 'SUPERVISOR' && !data.user.mustChangePassword) {
    // The queue dashboard (Bull Board) takes the access token from a cookie scoped to it.
    const open = document.createElement('button');
    open.type = 'button';
    open.textContent = 'Buka dasbor antrean pesan (Bull Board)';
    open.addEventListener('click', async () => {
      const res = await fetch('/api/admin/queues/session', {
        method: 'POST',
        headers: { authorization: `Bearer ${data.accessToken}` },
      });
      const session = await res.json();
      if (res.ok) window.location.assign(session.url);
      else status.textContent = session.message;
    });
    status.after(open);
  }
});
