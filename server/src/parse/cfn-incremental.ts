/**
 * Incremental CloudFormation parsing (see incremental.ts). First version: full parse, cached by text.
 */
import type { Unit } from '../model/types';

interface CachedTemplate {
  text: string;
  unit: Unit | undefined;
}

export class CfnCache {
  private readonly files = new Map<string, CachedTemplate>();
  private counts = { incremental: 0, full: 0 };

  parse(file: string, text: string, full: (file: string, text: string) => Unit | undefined): Unit | undefined {
    const prev = this.files.get(file);
    if (prev && prev.text === text) {
      this.counts.incremental++;
      return prev.unit;
    }
    this.counts.full++;
    const unit = full(file, text);
    this.files.set(file, { text, unit });
    return unit;
  }

  forget(file: string): void {
    this.files.delete(file);
  }

  retain(keep: (file: string) => boolean): void {
    for (const f of [...this.files.keys()]) if (!keep(f)) this.files.delete(f);
  }

  clear(): void {
    this.files.clear();
  }

  stats(): { incremental: number; full: number } {
    return { ...this.counts };
  }
}
