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
});
