// session.ts: the client side of sessions, shared by the host and TS services.
import { describe, expect, it } from 'vitest';
import { Sessions } from '../../../plugin-ltask/src/wire/session.ts';
import { encode } from '../../../plugin-ltask/src/wire/codec/js.ts';
import { MessageType, Receipt } from '../../../plugin-ltask/src/wire/protocol.ts';
import type { Msg } from '../../../plugin-ltask/src/wire/transport/frame.ts';

describe('Sessions', () => {
  it('session ids stay positive int32s: they wrap to 1 after 2^31 - 1', () => {
    const s = new Sessions(0, () => Receipt.DONE, () => 1024);
    (s as unknown as { next: number }).next = 0x7ffffffe;
    expect([s.open(), s.open(), s.open()]).toEqual([0x7ffffffe, 0x7fffffff, 1]);
  });

  it('every failure rejects: encode errors, dead and busy receipts, ERROR answers (with their value)', async () => {
    const sent: Msg[] = [];
    let receipt: Receipt = Receipt.DONE;
    const s = new Sessions(0, (m) => (sent.push(m), receipt), () => 1024);
    await expect(s.call(5, MessageType.REQUEST, [() => 1])).rejects.toThrow(/function/);
    receipt = Receipt.DEAD;
    await expect(s.call(5, MessageType.REQUEST, ['x'])).rejects.toThrow('{service:5} is dead');
    receipt = Receipt.BUSY;
    await expect(s.call(5, MessageType.REQUEST, ['x'])).rejects.toThrow('{service:5} is busy');
    receipt = Receipt.DONE;
    const p = s.call(5, MessageType.REQUEST, ['x']);
    const m = sent[sent.length - 1]!;
    expect(s.settle({ type: MessageType.ERROR, source: 5, dest: 0, session: m.session, payload: encode(['boom', { code: 1 }]) })).toBe(true);
    await expect(p).rejects.toMatchObject({ message: 'boom', value: { code: 1 } });
    expect(s.settle({ type: MessageType.RESPONSE, source: 5, dest: 0, session: m.session, payload: null })).toBe(false); // answered once only
  });
});
