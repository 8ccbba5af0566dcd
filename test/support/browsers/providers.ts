/**
 * vitest browser-mode providers for Firefox (puppeteer-core over WebDriver
 * BiDi, Debian's firefox-esr, no geckodriver) and WebKit (classic WebDriver
 * to WebKitGTK's WebKitWebDriver and MiniBrowser: webdriver.ts). Each
 * starts what it needs (Xvfb, the driver) with the browser and stops it in
 * `close()`. One page per provider: the project's browser tests use no
 * provider commands (no userEvent, no screenshots).
 */
import { defineBrowserProvider } from '@vitest/browser';
import type { Browser as PBrowser, Page as PPage } from 'puppeteer-core';
import type { BrowserProvider } from 'vitest/node';
import { launchFirefox, startWebKitDriver, startXvfb, type Helper } from './display.ts';
import { openWebKit, type WebDriverSession } from './webdriver.ts';

abstract class OnePageProvider implements BrowserProvider {
  abstract name: string;
  supportsParallelism = false;
  protected helpers: Helper[] = [];
  private started: Promise<void> | null = null;

  getCommandsContext(): Record<string, unknown> {
    return {};
  }

  protected abstract start(): Promise<void>;
  protected abstract navigate(url: string): Promise<void>;
  protected abstract quit(): Promise<void>;

  async openPage(_sessionId: string, url: string): Promise<void> {
    this.started ??= this.start().catch(async (e) => {
      await this.close();
      throw e;
    });
    await this.started;
    await this.navigate(url);
  }

  async close(): Promise<void> {
    await this.quit().catch(() => {});
    await Promise.all(this.helpers.splice(0).map((h) => h.stop()));
  }
}

class FirefoxProvider extends OnePageProvider {
  name = 'firefox-esr';
  private browser: PBrowser | null = null;
  private page: PPage | null = null;

  protected async start(): Promise<void> {
    const x = await startXvfb();
    this.helpers.push(x);
    this.browser = await launchFirefox(x.display);
  }

  protected async navigate(url: string): Promise<void> {
    this.page ??= await this.browser!.newPage();
    await this.page.goto(url, { timeout: 0 });
  }

  protected async quit(): Promise<void> {
    const b = this.browser;
    this.browser = null;
    this.page = null;
    await b?.close();
  }
}

class WebKitProvider extends OnePageProvider {
  name = 'webkitgtk';
  private session: WebDriverSession | null = null;

  protected async start(): Promise<void> {
    const x = await startXvfb();
    this.helpers.push(x);
    const driver = await startWebKitDriver(x.display);
    this.helpers.push(driver);
    this.session = await openWebKit(driver.port);
  }

  protected async navigate(url: string): Promise<void> {
    await this.session!.url(url);
  }

  protected async quit(): Promise<void> {
    const s = this.session;
    this.session = null;
    await s?.close();
  }
}

export const firefox = () =>
  defineBrowserProvider({ name: 'firefox-esr', supportedBrowser: ['firefox'], providerFactory: () => new FirefoxProvider() });

export const webkit = () =>
  defineBrowserProvider({ name: 'webkitgtk', supportedBrowser: ['webkit'], providerFactory: () => new WebKitProvider() });
