// Worker thread of the contradiction guard: answers the reasons of each page of similar pairs it is sent.
import { parentPort } from "node:worker_threads";
import { type GuardPage, guardPage } from "../guard/guard-page.js";

parentPort?.on("message", ({ id, request }: { id: number; request: GuardPage }) => {
  parentPort?.postMessage({ id, answer: guardPage(request) });
});
