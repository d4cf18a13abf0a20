import { EventSourceParserStream } from "eventsource-parser/stream";
import { apiRoot, storedToken } from "./api.js";
import type { JobEvent } from "./types.js";

/** Connection state of the live stream, shown to the operator. */
export type StreamState = "connecting" | "live" | "retrying";

/**
 * Follows GET /api/v1/consolidation/events with the bearer token in a header (EventSource cannot send
 * one), reconnecting after a pause when the stream ends; stops when `signal` aborts.
 */
export async function followJobEvents(
  projectId: string | undefined,
  onEvent: (event: JobEvent) => void,
  onState: (state: StreamState) => void,
  signal: AbortSignal,
): Promise<void> {
  while (!signal.aborted) {
    onState("connecting");
    try {
      const path = `/api/v1/consolidation/events${projectId ? `?project_id=${encodeURIComponent(projectId)}` : ""}`;
      const response = await fetch(`${apiRoot()}${path}`, {
        headers: { authorization: `Bearer ${storedToken() ?? ""}`, accept: "text/event-stream" },
        signal,
      });
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
      onState("live");
      const reader = response.body
        .pipeThrough(new TextDecoderStream())
        .pipeThrough(new EventSourceParserStream())
        .getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        try {
          onEvent(JSON.parse(value.data) as JobEvent);
        } catch {
          // A comment or a malformed event: nothing to show.
        }
      }
    } catch {
      if (signal.aborted) return;
    }
    onState("retrying");
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}
