import pg from "pg";

/**
 * Setup of the unit project, which runs with no PostgreSQL at all. A test that reaches for the database is a
 * database test under a unit test's name: it fails here, loudly, rather than hanging on a cluster that is not there.
 */
const misfiled = () => {
  throw new Error("a unit test tried to connect to PostgreSQL: a test that needs the database is named *.db.test.ts");
};
delete process.env.GRIDATLAS_TEST_ADMIN_URL;
delete process.env.DATABASE_URL;
pg.Client.prototype.connect = misfiled;
pg.Pool.prototype.connect = misfiled;
