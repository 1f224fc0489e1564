// Every page the generator writes, by its path from the root.
import { renderEventsPage } from './events-page.js';
import { EVENTS_PAGE, REPO_ROOT, TEST_KIT_PAGE } from './paths.js';
import { renderTestKitPage } from './test-kit-page.js';

/** Every generated page as the generator writes it, by its path from the root. */
export function generatedPages(root = REPO_ROOT): Map<string, string> {
  return new Map([
    [EVENTS_PAGE, renderEventsPage()],
    [TEST_KIT_PAGE, renderTestKitPage(root)],
  ]);
}
