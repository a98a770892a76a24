import { useState } from 'preact/hooks';
import { api, login } from './api';
import { lang, setLang, t, useLang } from './i18n';
import { currentUser, keepDraftsOf, loginReason, takeReturnTo, type User } from './session';
import { navigate } from './router';
import { ErrorBox, TextField } from './ui';
import { useStore } from './store';

/** The language switch for the pages shown before the shell (login, forced password change). */
function LangSwitch() {
  const current = useLang();
  return (
    <button
      type="button"
      class="link lang"
      lang={current === 'id' ? 'en' : 'id'}
      onClick={() => {
        setLang(lang.get() === 'id' ? 'en' : 'id');
      }}
    >
      {t('lang.switch')}
    </button>
  );
}

export function LoginPage() {
  const reason = useStore(loginReason);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const user = await login(username.trim(), password);
      keepDraftsOf(user.id);
      loginReason.set(null);
      currentUser.set(user);
      const back = takeReturnTo();
      if (back && !user.mustChangePassword) navigate(back, true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="login" id="main">
      <form class="card narrow" onSubmit={(e) => void submit(e)} aria-labelledby="login-title">
        <LangSwitch />
        <h1 id="login-title">{t('login.title')}</h1>
        {reason === 'expired' && (
          <p class="notice" role="status">
            {t('login.expired')}
          </p>
        )}
        {reason === 'loggedOut' && (
          <p class="notice" role="status">
            {t('login.loggedOut')}
          </p>
        )}
        <TextField
          label={t('login.username')}
          value={username}
          onInput={setUsername}
          autoComplete="username"
          required
          wide
        />
        <TextField
          label={t('login.password')}
          value={password}
          onInput={setPassword}
          type="password"
          autoComplete="current-password"
          required
          wide
        />
        <ErrorBox error={error} />
        <button type="submit" class="primary" disabled={busy}>
          {t('login.submit')}
        </button>
      </form>
    </main>
  );
}

/** The first login with a temporary password: a new one before anything else. */
export function ChangePasswordPage({ user, forced }: { user: User; forced: boolean }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [mismatch, setMismatch] = useState(false);
  const [done, setDone] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    if (next !== again) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    try {
      await api('POST', '/auth/password', {
        json: { currentPassword: current, newPassword: next },
      });
      setDone(true);
      currentUser.set({ ...user, mustChangePassword: false });
      const back = takeReturnTo();
      if (forced) navigate(back ?? '/', true);
    } catch (err) {
      setError(err);
    }
  };

  return (
    <main class={forced ? 'login' : ''} id="main">
      <form class="card narrow" onSubmit={(e) => void submit(e)} aria-labelledby="pw-title">
        {forced && <LangSwitch />}
        <h1 id="pw-title">{t('password.title')}</h1>
        {forced && <p class="notice">{t('password.forced')}</p>}
        <p class="muted">{t('password.policy')}</p>
        <TextField
          label={t('password.current')}
          value={current}
          onInput={setCurrent}
          type="password"
          autoComplete="current-password"
          required
          wide
        />
        <TextField
          label={t('password.new')}
          value={next}
          onInput={setNext}
          type="password"
          autoComplete="new-password"
          required
          wide
        />
        <TextField
          label={t('password.again')}
          value={again}
          onInput={setAgain}
          type="password"
          autoComplete="new-password"
          required
          wide
        />
        {mismatch && (
          <p class="error" role="alert">
            {t('password.mismatch')}
          </p>
        )}
        {done && !forced && <p role="status">{t('password.changed')}</p>}
        <ErrorBox error={error} />
        <button type="submit" class="primary">
          {t('password.submit')}
        </button>
      </form>
    </main>
  );
}
