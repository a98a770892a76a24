import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ReportIndexes1795445769165 implements MigrationInterface {
  name = 'ReportIndexes1795445769165';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "ix_ticket_deadlines_started" ON "ticket_step_deadlines" ("started_at") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_ticket_deadlines_started"`);
  }
}
