export { DEFAULT_GLOBAL_SETTINGS, type GlobalSettings } from "@memcons/models";
