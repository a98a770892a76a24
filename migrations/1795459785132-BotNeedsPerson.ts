import type { MigrationInterface, QueryRunner } from 'typeorm';

export class BotNeedsPerson1795459785132 implements MigrationInterface {
  name = 'BotNeedsPerson1795459785132';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "tickets" ADD "needs_person_since" TIMESTAMP WITH TIME ZONE`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "tickets" DROP COLUMN "needs_person_since"`);
  }
}
