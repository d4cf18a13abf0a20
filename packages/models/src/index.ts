export * from "./database.js";
export * from "./enums.js";
export * from "./errors.js";
export { type MigrationResult, type MigrationStatus, migrate, migrationStatus } from "./migrate.js";
export * from "./options.js";
export * from "./retry.js";
export * from "./schema.js";
export * from "./serializers.js";
export * from "./state-machine.js";
