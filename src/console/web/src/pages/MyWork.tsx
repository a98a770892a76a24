import { api } from '../api';
import { t, useLang } from '../i18n';
import { Link } from '../router';
import type { User } from '../session';
import { workSteps, type ServiceQueue, type TicketSummary } from '../types';
import { ErrorBox, Loading, Section, useAsync, useInterval } from '../ui';
import { TicketTable } from './TicketList';

/**
 * What this person should do next: the open tickets in the steps their role works, overdue
 * first; the desk's queue for the front office; the breaches for a supervisor.
 */
export function MyWorkPage({ user }: { user: User }) {
  useLang();
  const steps = workSteps[user.role];
  const tickets = useAsync(async () => {
    const q =
      user.role === 'SUPERVISOR' ? 'open=true&breached=true&limit=100' : 'open=true&limit=200';
    const page = await api<{ items: TicketSummary[] }>('GET', `/tickets?${q}`);
    const mine = steps.length > 0 ? page.items.filter((i) => steps.includes(i.step)) : page.items;
    return mine.sort(
      (a, b) =>
        Number(b.stepBreached) - Number(a.stepBreached) ||
        (a.stepDueAt ?? '9').localeCompare(b.stepDueAt ?? '9'),
    );
  }, [user.role]);
  const desk = ['FRONT_OFFICE', 'HELPDESK', 'SUPERVISOR'].includes(user.role);
  const queue = useAsync(
    async () => (desk ? (await api<{ services: ServiceQueue[] }>('GET', '/queue')).services : []),
    [desk],
  );

  useInterval(() => {
    tickets.reload();
    queue.reload();
  }, 20_000);
  return (
    <div>
      <h1>{t('myWork.title')}</h1>
      <p class="muted">{t(`myWork.intro.${user.role}`)}</p>
      {desk && (
        <Section
          title={t('myWork.queue')}
          id="mw-queue"
          actions={<Link href="/desk">{t('myWork.toDesk')}</Link>}
        >
          <ErrorBox error={queue.error} />
          <ul class="stats">
            {(queue.data ?? []).map((s) => (
              <li key={s.service}>
                <strong>{s.waiting}</strong>
                <span>
                  {t(`service.${s.service}`)} ({s.prefix}) ·{' '}
                  {t('desk.estimate', { min: s.estimatedWaitMinutes })}
                </span>
              </li>
            ))}
          </ul>
        </Section>
      )}
      <Section
        title={user.role === 'SUPERVISOR' ? t('myWork.breaches') : t('myWork.tickets')}
        id="mw-tickets"
      >
        <ErrorBox error={tickets.error} />
        {tickets.loading && !tickets.data ? (
          <Loading />
        ) : (
          <TicketTable items={tickets.data ?? []} />
        )}
      </Section>
    </div>
  );
}
