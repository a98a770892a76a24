import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Notifications1795449929181 implements MigrationInterface {
  name = 'Notifications1795449929181';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "notifications" ("id" uuid NOT NULL, "outbox_id" uuid NOT NULL, "ticket_id" uuid NOT NULL, "event" character varying(40) NOT NULL, "channel" character varying(10) NOT NULL, "language" character varying(2) NOT NULL, "recipient_kind" character varying(20) NOT NULL, "recipient_sealed" text NOT NULL, "recipient_hash" character varying(64) NOT NULL, "recipient_masked" character varying(100) NOT NULL, "staff_user_id" uuid, "secret_id" uuid, "message_id" uuid, "step" character varying(40), "status" character varying(10) NOT NULL DEFAULT 'queued', "attempts" integer NOT NULL DEFAULT '0', "uncertain_attempts" integer NOT NULL DEFAULT '0', "last_error" character varying(500), "provider_message_id" character varying(300), "lease_until" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "sent_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_6a72c3c0f683f6462415e653c3a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_notifications_provider_id" ON "notifications" ("provider_message_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_notifications_status" ON "notifications" ("status", "updated_at") WHERE status IN ('queued', 'sending', 'failed', 'dead')`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_notifications_ticket" ON "notifications" ("ticket_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_notifications_fanout" ON "notifications" ("outbox_id", "channel", "recipient_hash") `,
    );
    await queryRunner.query(`ALTER TABLE "outbox" ADD "processed_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(
      `CREATE INDEX "ix_outbox_unprocessed" ON "outbox" ("published_at") WHERE processed_at IS NULL AND published_at IS NOT NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_outbox_unprocessed"`);
    await queryRunner.query(`ALTER TABLE "outbox" DROP COLUMN "processed_at"`);
    await queryRunner.query(`DROP INDEX "public"."uq_notifications_fanout"`);
    await queryRunner.query(`DROP INDEX "public"."ix_notifications_ticket"`);
    await queryRunner.query(`DROP INDEX "public"."ix_notifications_status"`);
    await queryRunner.query(`DROP INDEX "public"."ix_notifications_provider_id"`);
    await queryRunner.query(`DROP TABLE "notifications"`);
  }
}
