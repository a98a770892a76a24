import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Backbone1795440793112 implements MigrationInterface {
  name = 'Backbone1795440793112';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // gen_random_uuid() is built into PostgreSQL 13+; the extension keeps older servers working.
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pgcrypto`);
    await queryRunner.query(
      `CREATE TABLE "audit_events" ("id" BIGSERIAL NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "actor_type" character varying(12) NOT NULL, "actor_id" character varying(64), "actor_label" character varying(200), "action" character varying(64) NOT NULL, "target_type" character varying(40), "target_id" character varying(64), "ip" character varying(64), "request_id" character varying(64), "details" jsonb NOT NULL DEFAULT '{}'::jsonb, CONSTRAINT "PK_910f64d901a5c3e9878f0d4a407" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_audit_events_at" ON "audit_events" ("at") `);
    await queryRunner.query(`CREATE INDEX "ix_audit_events_actor" ON "audit_events" ("actor_id") `);
    await queryRunner.query(`CREATE INDEX "ix_audit_events_action" ON "audit_events" ("action") `);
    await queryRunner.query(
      `CREATE INDEX "ix_audit_events_target" ON "audit_events" ("target_type", "target_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "refresh_tokens" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "family_id" uuid NOT NULL, "token_hash" character varying(64) NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "session_expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "rotated_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_7d8bee0204106019488c4c50ffa" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_refresh_tokens_user" ON "refresh_tokens" ("user_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_refresh_tokens_family" ON "refresh_tokens" ("family_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_refresh_tokens_hash" ON "refresh_tokens" ("token_hash") `,
    );
    await queryRunner.query(
      `CREATE TABLE "service_accounts" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(64) NOT NULL, "kind" character varying(20) NOT NULL, "token_hash" character varying(64) NOT NULL, "created_by" uuid, "revoked_at" TIMESTAMP WITH TIME ZONE, "last_used_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_e2fb216fdc1db94c5e4da7d88fa" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_service_accounts_name" ON "service_accounts" ("name") `,
    );
    await queryRunner.query(
      `CREATE TABLE "staff_users" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "username" character varying(64) NOT NULL, "full_name" character varying(200) NOT NULL, "email" character varying(254), "role" character varying(20) NOT NULL, "password_hash" text NOT NULL, "password_history" jsonb NOT NULL DEFAULT '[]'::jsonb, "must_change_password" boolean NOT NULL DEFAULT true, "password_changed_at" TIMESTAMP WITH TIME ZONE, "disabled_at" TIMESTAMP WITH TIME ZONE, "last_login_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_c6b167335377df69f7910c2c75e" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_staff_users_username" ON "staff_users" ("username") `,
    );
    await queryRunner.query(
      `CREATE TABLE "registry_entries" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" character varying(100) NOT NULL, "user_id_key" character varying(100) NOT NULL, "full_name" character varying(200) NOT NULL, "name_key" character varying(200) NOT NULL, "nik_encrypted" text NOT NULL, "nik_hash" character varying(64) NOT NULL, "nik_masked" character varying(16) NOT NULL, "nip" character varying(18), "spse_role" character varying(20) NOT NULL, "agency" character varying(200) NOT NULL, "unit" character varying(200), "email" character varying(254), "phone" character varying(20), "birth_place" character varying(100), "birth_date" date, "sk_reference" character varying(200), "source" character varying(200) NOT NULL, "content_hash" character varying(64) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_6a5b6dbbb7ded79810b7d86e097" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_registry_entries_user_id_key" ON "registry_entries" ("user_id_key") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_registry_entries_name_key" ON "registry_entries" ("name_key") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_registry_entries_name_prefix" ON "registry_entries" ("name_key" varchar_pattern_ops)`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_registry_entries_nik_hash" ON "registry_entries" ("nik_hash") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_registry_entries_nip" ON "registry_entries" ("nip") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_registry_entries_email" ON "registry_entries" ("email") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_registry_entries_phone" ON "registry_entries" ("phone") `,
    );
    await queryRunner.query(
      `CREATE TABLE "registry_imports" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "file_name" character varying(255) NOT NULL, "file_sha256" character varying(64) NOT NULL, "actor_id" character varying(64), "total_rows" integer NOT NULL DEFAULT '0', "inserted_rows" integer NOT NULL DEFAULT '0', "updated_rows" integer NOT NULL DEFAULT '0', "unchanged_rows" integer NOT NULL DEFAULT '0', "error_rows" integer NOT NULL DEFAULT '0', "errors" jsonb NOT NULL DEFAULT '[]'::jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "finished_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_be5990f618e9bde82c9f55e866d" PRIMARY KEY ("id"))`,
    );
    // The audit trail is append-only: the database refuses UPDATE, DELETE and TRUNCATE on it.
    // The same guard serves every append-only table.
    await queryRunner.query(`CREATE FUNCTION append_only_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$`);
    await queryRunner.query(`CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
      FOR EACH ROW EXECUTE FUNCTION append_only_guard()`);
    await queryRunner.query(`CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
      FOR EACH STATEMENT EXECUTE FUNCTION append_only_guard()`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER audit_events_no_truncate ON audit_events`);
    await queryRunner.query(`DROP TRIGGER audit_events_no_update ON audit_events`);
    await queryRunner.query(`DROP FUNCTION append_only_guard()`);
    await queryRunner.query(`DROP TABLE "registry_imports"`);
    await queryRunner.query(`DROP INDEX "public"."ix_registry_entries_phone"`);
    await queryRunner.query(`DROP INDEX "public"."ix_registry_entries_email"`);
    await queryRunner.query(`DROP INDEX "public"."ix_registry_entries_nip"`);
    await queryRunner.query(`DROP INDEX "public"."ix_registry_entries_nik_hash"`);
    await queryRunner.query(`DROP INDEX "public"."ix_registry_entries_name_prefix"`);
    await queryRunner.query(`DROP INDEX "public"."ix_registry_entries_name_key"`);
    await queryRunner.query(`DROP INDEX "public"."uq_registry_entries_user_id_key"`);
    await queryRunner.query(`DROP TABLE "registry_entries"`);
    await queryRunner.query(`DROP INDEX "public"."uq_staff_users_username"`);
    await queryRunner.query(`DROP TABLE "staff_users"`);
    await queryRunner.query(`DROP INDEX "public"."uq_service_accounts_name"`);
    await queryRunner.query(`DROP TABLE "service_accounts"`);
    await queryRunner.query(`DROP INDEX "public"."uq_refresh_tokens_hash"`);
    await queryRunner.query(`DROP INDEX "public"."ix_refresh_tokens_family"`);
    await queryRunner.query(`DROP INDEX "public"."ix_refresh_tokens_user"`);
    await queryRunner.query(`DROP TABLE "refresh_tokens"`);
    await queryRunner.query(`DROP INDEX "public"."ix_audit_events_target"`);
    await queryRunner.query(`DROP INDEX "public"."ix_audit_events_action"`);
    await queryRunner.query(`DROP INDEX "public"."ix_audit_events_actor"`);
    await queryRunner.query(`DROP INDEX "public"."ix_audit_events_at"`);
    await queryRunner.query(`DROP TABLE "audit_events"`);
  }
}
