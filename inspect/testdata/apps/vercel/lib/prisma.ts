import { neonConfig } from "@neondatabase/serverless";
import { PrismaNeon } from "@prisma/adapter-neon";
import { PrismaClient } from "@/src/generated/prisma/client";

const adapter = new PrismaNeon({ connectionString: process.env["POSTGRES_PRISMA_URL"] });
export const prisma = new PrismaClient({ adapter });
