// Pages without their own logic (the landing page) only need the language switch.
import { initI18n } from './i18n.js';

initI18n();
