/**
 * SPSE user roles a registry entry may hold (seed 004 names the first six; the rest are the other
 * non-vendor SPSE roles an LPSE registers). Labels are what offices write in their spreadsheets.
 */
export const spseRoles = {
  ADMIN_AGENCY: ['Admin Agency'],
  AUDITOR: ['Auditor'],
  PPK: ['PPK', 'Pejabat Pembuat Komitmen'],
  POKJA: ['Pokja', 'Panitia', 'Pokja/Panitia', 'Pokja Pemilihan'],
  HELPDESK: ['Helpdesk'],
  VERIFIKATOR: ['Verifikator'],
  PP: ['PP', 'Pejabat Pengadaan'],
  KUPBJ: ['KUPBJ', 'Kepala UKPBJ'],
  PA_KPA: ['PA/KPA', 'PA', 'KPA', 'Pengguna Anggaran', 'Kuasa Pengguna Anggaran'],
  ADMIN_PPE: ['Admin PPE'],
} as const;

export type SpseRole = keyof typeof spseRoles;
export const spseRoleCodes = Object.keys(spseRoles) as SpseRole[];

const normalise = (s: string) => s.toLowerCase().replace(/[\s_\-./]+/g, '');
const byLabel = new Map<string, SpseRole>();
for (const code of spseRoleCodes) {
  byLabel.set(normalise(code), code);
  for (const label of spseRoles[code]) byLabel.set(normalise(label), code);
}

/** Accepts a code (`POKJA`) or a label in any case (`Pokja/Panitia`, `admin agency`). */
export function parseSpseRole(value: string): SpseRole | undefined {
  return byLabel.get(normalise(value));
}
