import type { MigrationInterface, QueryRunner } from 'typeorm';

export class EmailIntake1795459579480 implements MigrationInterface {
  name = 'EmailIntake1795459579480';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "inbound_emails" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "dedupe_key" character varying(64) NOT NULL, "has_message_id" boolean NOT NULL, "source" character varying(8) NOT NULL, "storage_key" character varying(200) NOT NULL, "size_bytes" integer NOT NULL, "sender_hash" character varying(64), "status" character varying(20) NOT NULL, "detail" character varying(200), "ticket_id" uuid, "acknowledged" boolean NOT NULL DEFAULT false, "rejected_files" jsonb NOT NULL DEFAULT '[]', "attempts" integer NOT NULL DEFAULT '0', "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "processed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_4681d4ed00f370f44de2a1d094c" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_inbound_emails_dedupe" ON "inbound_emails" ("dedupe_key") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_inbound_emails_ticket" ON "inbound_emails" ("ticket_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_inbound_emails_sender" ON "inbound_emails" ("sender_hash", "received_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_inbound_emails_status" ON "inbound_emails" ("status", "received_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "inbound_mailbox_cursors" ("mailbox" character varying(200) NOT NULL, "uid_validity" bigint NOT NULL, "last_uid" bigint NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d7952c7ae980eff2f01c8d3bc7f" PRIMARY KEY ("mailbox"))`,
    );
    await queryRunner.query(`ALTER TABLE "tickets" ALTER COLUMN "type" DROP NOT NULL`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "tickets" ALTER COLUMN "type" SET NOT NULL`);
    await queryRunner.query(`DROP TABLE "inbound_mailbox_cursors"`);
    await queryRunner.query(`DROP INDEX "public"."ix_inbound_emails_status"`);
    await queryRunner.query(`DROP INDEX "public"."ix_inbound_emails_sender"`);
    await queryRunner.query(`DROP INDEX "public"."ix_inbound_emails_ticket"`);
    await queryRunner.query(`DROP INDEX "public"."uq_inbound_emails_dedupe"`);
    await queryRunner.query(`DROP TABLE "inbound_emails"`);
  }
}
