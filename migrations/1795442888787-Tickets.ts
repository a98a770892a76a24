import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Tickets1795442888787 implements MigrationInterface {
  name = 'Tickets1795442888787';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "documents" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "ticket_id" uuid NOT NULL, "kind" character varying(40) NOT NULL, "file_name" character varying(120) NOT NULL, "content_type" character varying(40) NOT NULL, "size_bytes" integer NOT NULL, "sha256" character varying(64) NOT NULL, "storage_key" character varying(200) NOT NULL, "uploaded_by_type" character varying(12) NOT NULL, "uploaded_by_id" character varying(64), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "deleted_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_ac51aa5181ee2036f5ca482857c" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_documents_ticket" ON "documents" ("ticket_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "offices" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "code" character varying(40) NOT NULL, "name" character varying(200) NOT NULL, "time_zone" character varying(64) NOT NULL, "working_hours" jsonb NOT NULL, "helpdesk_requests_to_admin_ppe" boolean NOT NULL DEFAULT false, "retention_years" integer NOT NULL DEFAULT '5', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_1ea41502c6dddcec44ad9fcbbb3" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_offices_code" ON "offices" ("code") `);
    await queryRunner.query(
      `CREATE TABLE "office_holidays" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "office_id" uuid NOT NULL, "date" date NOT NULL, "name" character varying(200) NOT NULL, "kind" character varying(20) NOT NULL, CONSTRAINT "PK_a4aa797196669bb5d6d4dc962ee" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_office_holidays_day" ON "office_holidays" ("office_id", "date") `,
    );
    await queryRunner.query(
      `CREATE TABLE "outbox" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "queue" character varying(60) NOT NULL, "name" character varying(60) NOT NULL, "payload" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "published_at" TIMESTAMP WITH TIME ZONE, "attempts" integer NOT NULL DEFAULT '0', "last_error" character varying(500), CONSTRAINT "PK_340ab539f309f03bdaa14aa7649" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_outbox_pending" ON "outbox" ("created_at") WHERE published_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "one_time_secrets" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "ticket_id" uuid NOT NULL, "purpose" character varying(30) NOT NULL, "sealed" text NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_598cb666d8cc6aa3e6a3fca00e5" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_one_time_secrets_expiry" ON "one_time_secrets" ("expires_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "tickets" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "code" character varying(20) NOT NULL, "office_id" uuid NOT NULL, "type" character varying(30) NOT NULL, "channel" character varying(12) NOT NULL, "language" character varying(2) NOT NULL, "workflow_id" character varying(60) NOT NULL, "step" character varying(40) NOT NULL, "step_started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "step_due_at" TIMESTAMP WITH TIME ZONE, "step_breached" boolean NOT NULL DEFAULT false, "assignee_id" uuid, "version" integer NOT NULL DEFAULT '1', "requester_name" character varying(200) NOT NULL, "requester_user_id" character varying(100), "requester_nik_encrypted" text, "requester_nik_hash" character varying(64), "requester_nik_masked" character varying(16), "requester_nip" character varying(18), "requester_spse_role" character varying(20), "requester_agency" character varying(200), "requester_email" character varying(254), "requester_phone" character varying(20), "contact_kind" character varying(10) NOT NULL, "contact_address" character varying(254), "registry_entry_id" uuid, "missing_documents" jsonb NOT NULL DEFAULT '[]', "validity" jsonb, "reject_reason_code" character varying(40), "reject_note" text, "resolution" jsonb, "archive_number" character varying(100), "retain_until" date, "closed_at" TIMESTAMP WITH TIME ZONE, "purged_at" TIMESTAMP WITH TIME ZONE, "created_by_type" character varying(12) NOT NULL, "created_by_id" character varying(64), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_343bc942ae261cf7a1377f48fd0" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_tickets_code" ON "tickets" ("code") `);
    await queryRunner.query(`CREATE INDEX "ix_tickets_assignee" ON "tickets" ("assignee_id") `);
    await queryRunner.query(
      `CREATE INDEX "ix_tickets_requester_nik_hash" ON "tickets" ("requester_nik_hash") `,
    );
    await queryRunner.query(`CREATE INDEX "ix_tickets_contact" ON "tickets" ("contact_address") `);
    await queryRunner.query(
      `CREATE INDEX "ix_tickets_step" ON "tickets" ("step", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_tickets_open" ON "tickets" ("closed_at", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "ticket_events" ("id" BIGSERIAL NOT NULL, "ticket_id" uuid NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "actor_type" character varying(12) NOT NULL, "actor_id" character varying(64), "actor_label" character varying(200), "actor_role" character varying(20), "action" character varying(40) NOT NULL, "from_step" character varying(40), "to_step" character varying(40), "reason" text, "data" jsonb NOT NULL DEFAULT '{}', CONSTRAINT "PK_d61d07653b492eca67f9bad8ec2" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_ticket_events_ticket" ON "ticket_events" ("ticket_id", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "ticket_step_deadlines" ("id" BIGSERIAL NOT NULL, "ticket_id" uuid NOT NULL, "workflow_id" character varying(60) NOT NULL, "step" character varying(40) NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "due_at" TIMESTAMP WITH TIME ZONE, "ended_at" TIMESTAMP WITH TIME ZONE, "working_minutes" integer, "breached_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_93936467e55eac228e5a4232282" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_ticket_deadlines_due" ON "ticket_step_deadlines" ("due_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_ticket_deadlines_ticket" ON "ticket_step_deadlines" ("ticket_id", "started_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "ticket_messages" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "ticket_id" uuid NOT NULL, "direction" character varying(3) NOT NULL, "channel" character varying(12) NOT NULL, "body" text NOT NULL, "author_type" character varying(12) NOT NULL, "author_id" character varying(64), "external_id" character varying(255), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_37beb692dedf7eccb4e519ccec1" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_ticket_messages_ticket" ON "ticket_messages" ("ticket_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "ticket_counters" ("period" character varying(4) NOT NULL, "value" integer NOT NULL, CONSTRAINT "PK_afc078593bc3dd13231efcf3d99" PRIMARY KEY ("period"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "reject_reasons" ("code" character varying(40) NOT NULL, "label_id" character varying(200) NOT NULL, "label_en" character varying(200) NOT NULL, "active" boolean NOT NULL DEFAULT true, CONSTRAINT "PK_0cd3a40c239290a99453a68c7f6" PRIMARY KEY ("code"))`,
    );
    // Ticket history is append-only, like the audit trail.
    await queryRunner.query(`CREATE TRIGGER ticket_events_no_update BEFORE UPDATE OR DELETE ON ticket_events
      FOR EACH ROW EXECUTE FUNCTION append_only_guard()`);
    await queryRunner.query(`CREATE TRIGGER ticket_events_no_truncate BEFORE TRUNCATE ON ticket_events
      FOR EACH STATEMENT EXECUTE FUNCTION append_only_guard()`);
    // The reject-reason catalogue offices start with; supervisors add and retire reasons.
    await queryRunner.query(`INSERT INTO reject_reasons (code, label_id, label_en) VALUES
      ('DATA_MISMATCH', 'Data permohonan tidak sesuai dengan data registrasi', 'The request does not match the registration data'),
      ('DOCUMENTS_INVALID', 'Berkas permohonan tidak benar atau tidak sah', 'The documents are not genuine or not valid'),
      ('NOT_ENTITLED', 'Pemohon tidak berhak atas akun tersebut', 'The requester is not entitled to the account'),
      ('IDENTITY_UNCONFIRMED', 'Identitas pemohon tidak dapat dikonfirmasi', 'The requester''s identity could not be confirmed'),
      ('DUPLICATE', 'Permohonan yang sama sedang diproses', 'The same request is already being processed'),
      ('OTHER', 'Alasan lain (lihat catatan)', 'Other reason (see the note)')`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER ticket_events_no_truncate ON ticket_events`);
    await queryRunner.query(`DROP TRIGGER ticket_events_no_update ON ticket_events`);
    await queryRunner.query(`DROP TABLE "reject_reasons"`);
    await queryRunner.query(`DROP TABLE "ticket_counters"`);
    await queryRunner.query(`DROP INDEX "public"."ix_ticket_messages_ticket"`);
    await queryRunner.query(`DROP TABLE "ticket_messages"`);
    await queryRunner.query(`DROP INDEX "public"."ix_ticket_deadlines_ticket"`);
    await queryRunner.query(`DROP INDEX "public"."ix_ticket_deadlines_due"`);
    await queryRunner.query(`DROP TABLE "ticket_step_deadlines"`);
    await queryRunner.query(`DROP INDEX "public"."ix_ticket_events_ticket"`);
    await queryRunner.query(`DROP TABLE "ticket_events"`);
    await queryRunner.query(`DROP INDEX "public"."ix_tickets_open"`);
    await queryRunner.query(`DROP INDEX "public"."ix_tickets_step"`);
    await queryRunner.query(`DROP INDEX "public"."ix_tickets_contact"`);
    await queryRunner.query(`DROP INDEX "public"."ix_tickets_requester_nik_hash"`);
    await queryRunner.query(`DROP INDEX "public"."ix_tickets_assignee"`);
    await queryRunner.query(`DROP INDEX "public"."uq_tickets_code"`);
    await queryRunner.query(`DROP TABLE "tickets"`);
    await queryRunner.query(`DROP INDEX "public"."ix_one_time_secrets_expiry"`);
    await queryRunner.query(`DROP TABLE "one_time_secrets"`);
    await queryRunner.query(`DROP INDEX "public"."ix_outbox_pending"`);
    await queryRunner.query(`DROP TABLE "outbox"`);
    await queryRunner.query(`DROP INDEX "public"."uq_office_holidays_day"`);
    await queryRunner.query(`DROP TABLE "office_holidays"`);
    await queryRunner.query(`DROP INDEX "public"."uq_offices_code"`);
    await queryRunner.query(`DROP TABLE "offices"`);
    await queryRunner.query(`DROP INDEX "public"."ix_documents_ticket"`);
    await queryRunner.query(`DROP TABLE "documents"`);
  }
}
