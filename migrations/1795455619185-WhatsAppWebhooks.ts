import type { MigrationInterface, QueryRunner } from 'typeorm';

export class WhatsAppWebhooks1795455619185 implements MigrationInterface {
  name = 'WhatsAppWebhooks1795455619185';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "whatsapp_webhook_events" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "payload" jsonb NOT NULL, "messages" integer NOT NULL DEFAULT '0', "statuses" integer NOT NULL DEFAULT '0', "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ca84c91076d13d280b9bb9537d1" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "notifications" ADD "delivered_at" TIMESTAMP WITH TIME ZONE`,
    );
    await queryRunner.query(`ALTER TABLE "notifications" ADD "read_at" TIMESTAMP WITH TIME ZONE`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "notifications" DROP COLUMN "read_at"`);
    await queryRunner.query(`ALTER TABLE "notifications" DROP COLUMN "delivered_at"`);
    await queryRunner.query(`DROP TABLE "whatsapp_webhook_events"`);
  }
}
