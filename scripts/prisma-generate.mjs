// Generates both Prisma clients. `prisma generate` needs no schema engine, but the CLI tries to
// download one at start; where none can be had, any executable satisfies it.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1" };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= "/bin/true";
for (const schema of ["prisma/schema.prisma", "prisma/postgres/schema.prisma"]) {
  if (!existsSync(schema)) throw new Error(`missing ${schema}`);
  execFileSync(process.execPath, ["node_modules/prisma/build/index.js", "generate", "--schema", schema], { env, stdio: "inherit" });
}
