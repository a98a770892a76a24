import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InboundEmailRawDeleted1796603701854 implements MigrationInterface {
  name = 'InboundEmailRawDeleted1796603701854';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "inbound_emails" ADD "raw_deleted_at" TIMESTAMP WITH TIME ZONE`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "inbound_emails" DROP COLUMN "raw_deleted_at"`);
  }
}
