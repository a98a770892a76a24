import { Type } from '@sinclair/typebox';
import { serviceKinds, staffRoles } from './roles';

export const StaffRoleSchema = Type.Union(staffRoles.map((r) => Type.Literal(r)));
export const ServiceKindSchema = Type.Union(serviceKinds.map((r) => Type.Literal(r)));

const Password = Type.String({ minLength: 1, maxLength: 256 });
const Username = Type.String({ minLength: 3, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' });

export const LoginBodySchema = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 64 }), password: Password },
  { additionalProperties: false },
);
export const RefreshBodySchema = Type.Object(
  { refreshToken: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);
export const LogoutBodySchema = Type.Object(
  { everywhere: Type.Optional(Type.Boolean({ default: false })) },
  { additionalProperties: false },
);
export const ChangePasswordBodySchema = Type.Object(
  { currentPassword: Password, newPassword: Password },
  { additionalProperties: false },
);

export const StaffViewSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  username: Type.String(),
  fullName: Type.String(),
  email: Type.Union([Type.String(), Type.Null()]),
  role: StaffRoleSchema,
  mustChangePassword: Type.Boolean(),
  disabled: Type.Boolean(),
  lastLoginAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
});

export const SessionResponseSchema = Type.Object({
  tokenType: Type.Literal('Bearer'),
  accessToken: Type.String(),
  expiresIn: Type.Integer({ description: 'seconds' }),
  refreshToken: Type.String(),
  refreshExpiresAt: Type.String({ format: 'date-time' }),
  user: StaffViewSchema,
});

export const MeResponseSchema = Type.Union([
  Type.Object({
    kind: Type.Literal('staff'),
    id: Type.String(),
    username: Type.String(),
    fullName: Type.String(),
    role: StaffRoleSchema,
    mustChangePassword: Type.Boolean(),
  }),
  Type.Object({
    kind: Type.Literal('service'),
    id: Type.String(),
    name: Type.String(),
    role: ServiceKindSchema,
  }),
]);

export const CreateStaffBodySchema = Type.Object(
  {
    username: Username,
    fullName: Type.String({ minLength: 1, maxLength: 200 }),
    email: Type.Optional(
      Type.Union([Type.String({ format: 'email', maxLength: 254 }), Type.Null()]),
    ),
    role: StaffRoleSchema,
  },
  { additionalProperties: false },
);
export const UpdateStaffBodySchema = Type.Object(
  {
    fullName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    email: Type.Optional(
      Type.Union([Type.String({ format: 'email', maxLength: 254 }), Type.Null()]),
    ),
    role: Type.Optional(StaffRoleSchema),
    disabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
export const StaffWithPasswordSchema = Type.Object({
  user: StaffViewSchema,
  password: Type.String({ description: 'Shown once; the account must change it at first login.' }),
});

export const ServiceAccountViewSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  kind: ServiceKindSchema,
  revoked: Type.Boolean(),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
});
export const CreateServiceAccountBodySchema = Type.Object(
  {
    name: Type.String({ minLength: 3, maxLength: 64, pattern: '^[a-z0-9._-]+$' }),
    kind: ServiceKindSchema,
  },
  { additionalProperties: false },
);
