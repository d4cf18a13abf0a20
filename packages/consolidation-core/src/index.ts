export { ConsolidationOptionsSchema, type ConsolidationOptions } from "@memcons/models";
