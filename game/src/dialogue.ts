/**
 * Dialogue: the ink sources are compiled in a service (dialogue.lua, the ink
 * native module reading each INCLUDE through io) and run here with inkjs's Story.
 */
import { Story } from 'inkjs';

/** A running conversation. */
export class Dialogue {
  story: Story | null = null;
  /** Lines shown so far. */
  lines: string[] = [];
  choices: string[] = [];
  /** Set when the DOM should be redrawn. */
  dirty = false;

  /** Starts a story from compiled JSON and runs to the first choice. */
  start(json: string): void {
    this.story = new Story(json);
    this.lines = [];
    this.advance();
  }

  /** Picks a choice and runs on. */
  choose(i: number): void {
    if (!this.story || i < 0 || i >= this.story.currentChoices.length) return;
    this.story.ChooseChoiceIndex(i);
    this.advance();
  }

  private advance(): void {
    const story = this.story!;
    while (story.canContinue) {
      const line = story.Continue()?.trim();
      if (line) this.lines.push(line);
    }
    this.choices = story.currentChoices.map((c) => c.text);
    if (this.choices.length === 0) this.lines.push('(the end)');
    this.dirty = true;
  }
}
