/** Messages between the host, scheduler workers and carriers about native calls. */

export type HostToCarrier =
  | {
      type: 'init';
      name: string;
      url: string;
      table: SharedArrayBuffer;
      slots: SharedArrayBuffer;
      slot: number;
      mailbox: SharedArrayBuffer;
      callbackTimeoutMs: number;
      maxMessageBytes: number;
    }
  | { type: 'call'; callId: number; payload: Uint8Array; home: number };

export type CarrierToHost =
  | { type: 'ready'; name: string; max: number; functions: string[] }
  | { type: 'idle'; callId: number }
  | { type: 'fatal'; error: string }
  /** A line for the runtime's log, at level error (a native module's forgotten promise). */
  | { type: 'log'; text: string };

/** A native call as the home worker asks the host for it. */
export interface NativeRequest {
  callId: number;
  module: string;
  fn: string;
  /** The NATIVE_CALL payload as the service encoded it: `[parent, module, fn, ...args]`. */
  payload: Uint8Array;
  service: number;
  worker: number;
  /** The calls whose callbacks made this call, innermost first: deadlock detection. */
  ancestors: number[];
}
