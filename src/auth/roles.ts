/** Staff roles (DESIGN.md "Roles"). Requesters never log in; they reach Loket through a channel. */
export const staffRoles = [
  'FRONT_OFFICE',
  'HELPDESK',
  'ADMIN_PPE',
  'SUPERVISOR',
  'AUDITOR',
] as const;
export type StaffRole = (typeof staffRoles)[number];

/** Service accounts call the API with a scoped token instead of a login. */
export const serviceKinds = ['BOT', 'INTAKE'] as const;
export type ServiceKind = (typeof serviceKinds)[number];

export type Role = StaffRole | ServiceKind;
export const allRoles: readonly Role[] = [...staffRoles, ...serviceKinds];
