// ShouldProcess / ConfirmImpact / -WhatIf / -Confirm / -Force, as PowerShell defines them
// (shared/docs/conventions.md section 2), with one Node rule: no terminal means no prompt, ever.
import { ErrorRecord, ExitCode } from './errors.js';
import type { ConfirmImpact, Logger } from './types.js';

const LEVEL: Record<ConfirmImpact, number> = { None: 0, Low: 1, Medium: 2, High: 3 };

export interface ConfirmIo {
  ask(question: string): Promise<string>;
}

export interface ShouldProcessOptions {
  confirmImpact: ConfirmImpact;
  whatIf: boolean;
  /** undefined: -Confirm not given; true: -Confirm; false: -Confirm:false. */
  confirm: boolean | undefined;
  force: boolean;
  interactive: boolean;
  /** At a terminal, but stdin is a pipe or a file (`Get-... | Remove-...`): "no terminal" would read as false. */
  inputNotTerminal?: boolean;
  io?: ConfirmIo;
  stderr: (s: string) => void;
  log: Logger;
  commandName: string;
  /** $ConfirmPreference; PowerShell's default is High. */
  preference?: ConfirmImpact;
}

export class ShouldProcessState {
  private yesToAll = false;
  private noToAll = false;
  declined = false;

  constructor(private readonly o: ShouldProcessOptions) {}

  /** The preference after -Confirm / -Confirm:false / -Force. */
  private effectivePreference(): ConfirmImpact {
    if (this.o.confirm === true) return 'Low';
    if (this.o.confirm === false) return 'None';
    if (this.o.force) return 'None';
    return this.o.preference ?? 'High';
  }

  needsConfirmation(): boolean {
    const pref = this.effectivePreference();
    return pref !== 'None' && this.o.confirmImpact !== 'None' && LEVEL[this.o.confirmImpact] >= LEVEL[pref];
  }

  /**
   * Fails at once when `action` will need a confirmation that cannot be asked for (no terminal), so a
   * command whose changes come only after long checks does not run them first. No-op under -WhatIf.
   */
  assertConfirmable(target: string, action: string): void {
    if (!this.o.whatIf && this.needsConfirmation() && (!this.o.interactive || !this.o.io)) throw this.confirmationRequired(target, action);
  }

  async shouldProcess(target: string, action: string): Promise<boolean> {
    if (this.o.whatIf) {
      this.o.stderr(`What if: Performing the operation "${action}" on target "${target}".\n`);
      this.o.log.info('whatif', { action, target });
      return false;
    }
    if (!this.needsConfirmation() || this.yesToAll) return this.record(true, target, action);
    if (this.noToAll) return this.record(false, target, action);
    if (!this.o.interactive || !this.o.io) throw this.confirmationRequired(target, action);
    for (;;) {
      const answer = (
        await this.o.io.ask(`\nConfirm\nAre you sure you want to perform this action?\nPerforming the operation "${action}" on target "${target}".\n[Y] Yes  [A] Yes to All  [N] No  [L] No to All  [?] Help (default is "Y"): `)
      ).trim().toUpperCase();
      if (answer === '' || answer === 'Y') return this.record(true, target, action);
      if (answer === 'A') {
        this.yesToAll = true;
        return this.record(true, target, action);
      }
      if (answer === 'N') return this.record(false, target, action);
      if (answer === 'L') {
        this.noToAll = true;
        return this.record(false, target, action);
      }
      this.o.stderr('Y - Continue with only the next step of the operation.\nA - Continue with all the steps of the operation.\nN - Skip this operation and proceed with the next operation.\nL - Skip this operation and all subsequent operations.\n');
    }
  }

  private confirmationRequired(target: string, action: string): ErrorRecord {
    return new ErrorRecord({
      errorId: 'ConfirmationRequired',
      category: 'InvalidOperation',
      target,
      message: this.o.inputNotTerminal
        ? `${this.o.commandName} needs confirmation to perform "${action}" on "${target}", and cannot ask: its input is a pipe or a file, not the terminal.`
        : `${this.o.commandName} needs confirmation to perform "${action}" on "${target}", and there is no terminal to ask on.`,
      recommendedAction: this.o.inputNotTerminal
        ? `Add -Force (or -Confirm:false) to ${this.o.commandName} after the pipe, or -WhatIf to see what it would do.`
        : `Add -Force (or -Confirm:false) to run unattended, or -WhatIf to see what it would do.`,
      exitCode: ExitCode.ConfirmationRequired,
    });
  }

  private record(ok: boolean, target: string, action: string): boolean {
    if (!ok) this.declined = true;
    this.o.log.verbose(`${ok ? 'Performing' : 'Skipped'} the operation "${action}" on target "${target}".`);
    return ok;
  }
}
