/**
 * Dialogue: `director.talk(id)` answers with the villager's knot and the story
 * (ink compiled in a service by the ink native module, each INCLUDE an io
 * read); it runs here with inkjs's Story, from that knot.
 */
import { Story } from 'inkjs';

/** A running conversation. */
export class Dialogue {
  story: Story | null = null;
  /** Who speaks. */
  name = '';
  /** Lines shown so far. */
  lines: string[] = [];
  choices: string[] = [];
  /** Whether the panel is up (also while waiting for the story). */
  open = false;
  /** Waiting for `director.talk`. */
  pending = false;
  /** Whether the story has run out of choices. */
  ended = false;
  error = '';
  /** Set when the DOM should be redrawn. */
  dirty = false;

  /** Opens the panel while the story is on its way. */
  wait(name: string): void {
    this.open = true;
    this.pending = true;
    this.name = name;
    this.lines = [];
    this.choices = [];
    this.ended = false;
    this.error = '';
    this.dirty = true;
  }

  /** Starts a story from compiled JSON, at `knot` when given, and runs to the first choice. */
  start(json: string, knot?: string, name?: string): void {
    this.pending = false;
    try {
      this.story = new Story(json);
    } catch (e) {
      const which = name ?? this.name;
      throw new Error(`${which ? `story "${which}"` : 'the story'} is not a compiled ink story: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    if (knot) this.story.ChoosePathString(knot);
    if (name) this.name = name;
    this.lines = [];
    this.ended = false;
    this.advance();
  }

  fail(message: string): void {
    this.pending = false;
    this.error = message;
    this.ended = true;
    this.dirty = true;
  }

  /** Picks a choice and runs on. */
  choose(i: number): void {
    if (!this.story || i < 0 || i >= this.story.currentChoices.length) return;
    this.story.ChooseChoiceIndex(i);
    this.lines = [];
    this.advance();
  }

  close(): void {
    this.open = false;
    this.pending = false;
    this.story = null;
    this.dirty = true;
  }

  private advance(): void {
    const story = this.story!;
    while (story.canContinue) {
      const line = story.Continue()?.trim();
      if (line) this.lines.push(line);
    }
    this.choices = story.currentChoices.map((c) => c.text);
    this.ended = this.choices.length === 0;
    this.dirty = true;
  }
}
