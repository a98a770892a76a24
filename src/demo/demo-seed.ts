import { join } from 'node:path';
import type { Actor } from '../audit/audit.service';
import type { StaffRole } from '../auth/roles';
import type { Container } from '../container';
import { projectRoot } from '../shared/paths';

export const DEMO_PASSWORD = 'Demo-Helpdesk-2026!';

const demoStaff: { username: string; fullName: string; role: StaffRole }[] = [
  { username: 'frontoffice', fullName: 'Rina Front Office', role: 'FRONT_OFFICE' },
  { username: 'helpdesk', fullName: 'Andi Helpdesk', role: 'HELPDESK' },
  { username: 'adminppe', fullName: 'Dewi Admin PPE', role: 'ADMIN_PPE' },
  { username: 'supervisor', fullName: 'Budi Supervisor', role: 'SUPERVISOR' },
  { username: 'auditor', fullName: 'Ketut Auditor', role: 'AUDITOR' },
];

/**
 * The demo seed: one staff account per role (password DEMO_PASSWORD, no forced change), a BOT
 * service account, and a sample registry of 20 entries. Idempotent. Never loaded unless asked
 * (npm start -- --demo, LOKET_DEMO=true or `npm run loket -- seed:demo`), refused in production.
 * Returns lines to print.
 */
export async function seedDemo(container: Container, actor: Actor): Promise<string[]> {
  if (container.config.NODE_ENV === 'production')
    throw new Error('the demo seed is refused in production');
  const lines = ['Demo seed (do not use in production):'];
  const existing = new Set((await container.staff.list()).map((u) => u.username));
  for (const s of demoStaff) {
    if (!existing.has(s.username)) {
      await container.staff.create(
        { ...s, password: DEMO_PASSWORD, mustChangePassword: false },
        actor,
      );
    }
    lines.push(`  ${s.role.padEnd(12)} ${s.username} / ${DEMO_PASSWORD}`);
  }
  const bots = await container.staff.listServiceAccounts();
  if (!bots.some((b) => b.name === 'demo-bot')) {
    const { token } = await container.staff.createServiceAccount(
      { name: 'demo-bot', kind: 'BOT' },
      actor,
    );
    lines.push(`  BOT service token (shown once): ${token}`);
  }
  const report = await container.registry.importCsvFile(
    join(projectRoot, 'src', 'demo', 'sample-registry.csv'),
    {
      fileName: 'sample-registry.csv',
      actor,
    },
  );
  lines.push(`  Sample registry: ${report.inserted} new, ${report.unchanged} unchanged entries`);
  return lines;
}
