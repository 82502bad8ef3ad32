// Texts of the pages in Persian (first) and English, and the language switch.
//
// Static texts are marked in the HTML with data-i18n="key" (text content) and
// data-i18n-aria-label="key" (the aria-label attribute). Pages re-render their
// dynamic parts on the "langchange" event that setLang dispatches on document.

const STORAGE_KEY = 'lang';

// The language in force on this page; read from storage once, so the switch
// works for the page even when storage is disabled.
let current = null;

const fa = {
  'site.name': 'سامانه ثبت‌نام داوطلبان انتخابات شوراهای اسلامی شهر و روستا',
  'site.skip': 'پرش به محتوای اصلی',
  'site.nav': 'پیوندهای اصلی',
  'site.footer': 'بررسی شرایط نامزدی بر پایهٔ ضوابط انتخابات شوراها و اطلاعاتی است که داوطلب وارد می‌کند.',
  'lang.switch': 'English',
  'lang.switchLabel': 'Switch to English',
  'nav.home': 'صفحهٔ نخست',
  'nav.register': 'ثبت‌نام',
  'nav.login': 'ورود',
  'nav.myPage': 'صفحهٔ من',

  'common.choose': 'انتخاب کنید',
  'common.loading': 'در حال بارگیری…',
  'common.sending': 'در حال ارسال…',
  'common.required': '(الزامی)',

  'index.title': 'صفحهٔ نخست — سامانهٔ انتخابات شوراها',
  'index.heading': 'ثبت‌نام داوطلبان انتخابات شوراهای اسلامی شهر و روستا',
  'index.lead': 'در این سامانه داوطلبان عضویت در شوراهای اسلامی شهر و روستا ثبت‌نام می‌کنند، شرایط قانونی نامزدی آنان بررسی می‌شود و داوطلبان واجد شرایط در آزمون صلاحیت شرکت می‌کنند.',
  'index.ctaRegister': 'ثبت‌نام داوطلب',
  'index.ctaLogin': 'ورود داوطلبان ثبت‌نام‌شده',
  'index.stepsHeading': 'مراحل کار',
  'index.step1Title': 'ثبت‌نام',
  'index.step1Text': 'مشخصات فردی، آخرین مدرک تحصیلی و حوزهٔ انتخابیهٔ خود را وارد کنید. تاریخ تولد به تقویم خورشیدی وارد می‌شود.',
  'index.step2Title': 'بررسی شرایط',
  'index.step2Text': 'سامانه بی‌درنگ شرایط سنی، تحصیلی و وضعیت خدمت وظیفه را برای حوزهٔ انتخابیهٔ شما بررسی می‌کند و نتیجه را همراه با دلیل آن نشان می‌دهد.',
  'index.step3Title': 'آزمون صلاحیت',
  'index.step3Text': 'داوطلبان واجد شرایط در زمان اعلام‌شده در آزمون چندگزینه‌ای برخط شرکت می‌کنند و نتیجه پس از اعلام رسمی در همین سامانه دیده می‌شود.',
  'index.rulesHeading': 'شرایط اصلی نامزدی',
  'index.ruleAge': 'داشتن دست‌کم ۲۵ سال سن در روز برگزاری انتخابات',
  'index.ruleEducation': 'داشتن حداقل مدرک تحصیلی لازم برای حوزهٔ انتخابیه؛ این حداقل به شهر یا روستا بودن حوزه و جمعیت آن بستگی دارد',
  'index.ruleMilitary': 'برای آقایان: کارت پایان خدمت یا معافیت دائم',

  'register.title': 'ثبت‌نام داوطلب — سامانهٔ انتخابات شوراها',
  'register.heading': 'ثبت‌نام داوطلب',
  'register.intro': 'همهٔ بخش‌ها به‌جز ایمیل الزامی است. نام‌ها را با حروف فارسی بنویسید.',
  'register.personal': 'مشخصات فردی',
  'register.contact': 'راه‌های تماس',
  'register.candidacy': 'تحصیلات و حوزهٔ انتخابیه',
  'register.account': 'رمز عبور',
  'register.submit': 'ثبت‌نام',
  'form.fixErrors': 'فرم {count} خطا دارد. توضیح هر خطا کنار همان بخش نوشته شده است.',
  'register.constituenciesFailed': 'فهرست حوزه‌های انتخابیه بارگیری نشد. صفحه را دوباره بارگیری کنید.',
  'register.done': 'ثبت‌نام شما انجام شد',
  'register.doneFor': 'کد ملی ثبت‌شده: {nationalId}',
  'register.next': 'برای دیدن وضعیت خود و آزمون‌ها وارد سامانه شوید.',
  'register.loginLink': 'ورود به سامانه',
  'register.haveAccount': 'پیش‌تر ثبت‌نام کرده‌اید؟',

  'field.national_id': 'کد ملی',
  'field.national_idHint': '۱۰ رقم، بدون خط تیره',
  'field.first_name': 'نام',
  'field.last_name': 'نام خانوادگی',
  'field.father_name': 'نام پدر',
  'field.birth_date': 'تاریخ تولد',
  'field.birth_dateHint': 'به تقویم خورشیدی (هجری شمسی)',
  'field.birth_year': 'سال',
  'field.birth_month': 'ماه',
  'field.birth_day': 'روز',
  'field.gender': 'جنسیت',
  'field.military_service': 'وضعیت خدمت وظیفه',
  'field.mobile': 'شمارهٔ تلفن همراه',
  'field.mobileHint': 'مانند ۰۹۱۲۱۲۳۴۵۶۷',
  'field.email': 'ایمیل (اختیاری)',
  'field.education': 'آخرین مدرک تحصیلی',
  'field.constituency_id': 'حوزهٔ انتخابیه',
  'field.password': 'رمز عبور',
  'field.passwordHint': 'دست‌کم ۸ نویسه. رمزهای رایج پذیرفته نمی‌شوند.',
  'field.registered_at': 'زمان ثبت‌نام',

  'gender.male': 'مرد',
  'gender.female': 'زن',
  'military.completed': 'کارت پایان خدمت',
  'military.exempt': 'معافیت دائم',
  'military.none': 'هیچ‌کدام',
  'education.literacy': 'سواد خواندن و نوشتن',
  'education.diploma': 'دیپلم',
  'education.associate': 'کاردانی',
  'education.bachelor': 'کارشناسی',
  'education.master': 'کارشناسی ارشد',
  'education.doctorate': 'دکتری',
  'kind.city': 'شهر',
  'kind.village': 'روستا',
  'kind.cities': 'شهرها',
  'kind.villages': 'روستاها',
  'constituency.city': '{name}، استان {province}؛ شهر با {population} نفر جمعیت',
  'constituency.village': '{name}، استان {province}؛ روستا با {households} خانوار',
  'constituency.cityNoProvince': '{name}؛ شهر با {population} نفر جمعیت',
  'constituency.villageNoProvince': '{name}؛ روستا با {households} خانوار',

  // Field errors: "err.<code>", or "err.<field>.<code>" where a field needs its own words.
  'err.required': 'پر کردن این بخش الزامی است.',
  'err.invalid': 'مقدار واردشده معتبر نیست.',
  'err.national_id.required': 'کد ملی را وارد کنید.',
  'err.national_id.invalid': 'کد ملی باید ۱۰ رقم باشد.',
  'err.checksum': 'کد ملی معتبر نیست؛ رقم کنترل آن درست نیست.',
  'err.repeated_digits': 'کد ملی نمی‌تواند فقط از یک رقم تکراری باشد.',
  'err.not_persian': 'فقط حروف فارسی بنویسید.',
  'err.birth_date.required': 'سال، ماه و روز تولد را انتخاب کنید.',
  'err.birth_date.invalid': 'این تاریخ تولد پذیرفتنی نیست.',
  'err.not_a_date': 'این تاریخ وجود ندارد.',
  'err.future_date': 'تاریخ تولد نمی‌تواند در آینده باشد.',
  'err.gender.required': 'جنسیت را انتخاب کنید.',
  'err.military_service.required': 'وضعیت خدمت وظیفه را انتخاب کنید.',
  'err.mobile.invalid': 'شمارهٔ همراه باید ۱۱ رقم باشد و با ۰۹ شروع شود.',
  'err.email.invalid': 'نشانی ایمیل معتبر نیست.',
  'err.too_short': 'این مقدار کوتاه‌تر از حد مجاز است.',
  'err.too_long': 'این مقدار بلندتر از حد مجاز است.',
  'err.too_small': 'این مقدار کمتر از حد مجاز است.',
  'err.too_large': 'این مقدار بیشتر از حد مجاز است.',
  'err.duplicate': 'این مقدار تکراری است.',
  'err.constituency_id.too_small': 'حوزهٔ انتخابیه را انتخاب کنید.',
  'err.password.too_short': 'رمز عبور باید دست‌کم ۸ نویسه باشد.',
  'err.password.too_long': 'رمز عبور نباید بیشتر از ۱۲۸ نویسه باشد.',
  'err.common_password': 'این رمز عبور بسیار رایج است؛ رمز دیگری برگزینید.',
  'err.unknown_constituency': 'این حوزهٔ انتخابیه در فهرست نیست؛ از فهرست انتخاب کنید.',
  'err.constituency_id.required': 'حوزهٔ انتخابیه را انتخاب کنید.',
  'err.education.required': 'آخرین مدرک تحصیلی را انتخاب کنید.',
  'err.one_of': 'یکی از گزینه‌های فهرست را انتخاب کنید.',
  'err.not_allowed': 'این بخش برای شما کاربرد ندارد.',
  'err.already_registered': 'این کد ملی پیش‌تر ثبت‌نام شده است.',
  'err.unknown': 'این مقدار پذیرفته نشد.',

  'err.network': 'ارتباط با سامانه برقرار نشد. اتصال خود را بررسی کنید و دوباره تلاش کنید.',
  'err.server': 'خطایی در سامانه رخ داد. لطفاً کمی بعد دوباره تلاش کنید.',
  'err.generic': 'درخواست انجام نشد. لطفاً دوباره تلاش کنید.',
  'err.tooLarge': 'اطلاعات فرستاده‌شده بیش از اندازهٔ مجاز است.',

  'login.title': 'ورود داوطلب — سامانهٔ انتخابات شوراها',
  'login.heading': 'ورود داوطلب',
  'login.intro': 'با کد ملی و رمز عبوری که هنگام ثبت‌نام برگزیدید وارد شوید.',
  'login.submit': 'ورود',
  'login.invalid': 'کد ملی یا رمز عبور نادرست است.',
  'login.tooMany': 'تلاش‌های ناموفق بیش از حد مجاز بود. لطفاً {seconds} ثانیهٔ دیگر دوباره تلاش کنید.',
  'login.tooManyNoWait': 'تلاش‌های ناموفق بیش از حد مجاز بود. لطفاً چند دقیقهٔ دیگر دوباره تلاش کنید.',
  'login.noAccount': 'هنوز ثبت‌نام نکرده‌اید؟',
  'login.success': 'ورود انجام شد. در حال انتقال…',

  'home.title': 'صفحهٔ داوطلب — سامانهٔ انتخابات شوراها',
  'home.welcome': '{name}، خوش آمدید',
  'home.details': 'مشخصات ثبت‌نام',
  'home.eligibility': 'وضعیت نامزدی',
  'home.reasons': 'دلایل:',
  'home.exams': 'آزمون‌ها',
  'home.examsPlaceholder': 'آزمون‌های صلاحیتی که می‌توانید در آن‌ها شرکت کنید به‌زودی در این بخش فهرست می‌شوند.',
  'home.logout': 'خروج',
  'home.loadFailed': 'بارگیری اطلاعات ممکن نشد. صفحه را دوباره بارگیری کنید.',
  'home.noEmail': 'ثبت نشده',
  'home.militaryNotApplicable': '—',

  'elig.yes': 'شما واجد شرایط نامزدی هستید',
  'elig.no': 'شما واجد شرایط نامزدی نیستید',
  'elig.yesNote': 'پس از اعلام زمان آزمون صلاحیت می‌توانید از همین صفحه در آن شرکت کنید.',
  'reason.under_age': 'سن شما در روز انتخابات کمتر از ۲۵ سال است',
  'reason.over_age': 'سن شما در روز انتخابات بیشتر از حد مجاز است',
  'reason.education_below_required': 'مدرک تحصیلی شما کمتر از حداقل مدرک لازم برای این حوزه انتخابیه است',
  'reason.military_service_required': 'پایان خدمت یا معافیت دائم لازم است',
  'reason.unknown': 'شرط «{code}» برقرار نیست',
};

const en = {
  'site.name': 'City and Village Council Elections — Candidate Registration',
  'site.skip': 'Skip to main content',
  'site.nav': 'Main links',
  'site.footer': 'Eligibility is checked against the council election rules and the details the applicant enters.',
  'lang.switch': 'فارسی',
  'lang.switchLabel': 'تغییر زبان به فارسی',
  'nav.home': 'Home',
  'nav.register': 'Register',
  'nav.login': 'Log in',
  'nav.myPage': 'My page',

  'common.choose': 'Choose…',
  'common.loading': 'Loading…',
  'common.sending': 'Sending…',
  'common.required': '(required)',

  'index.title': 'Home — Council Elections',
  'index.heading': 'Candidate registration for the city and village council elections',
  'index.lead': 'Applicants for the Islamic city and village councils register here; the platform checks the legal conditions for standing, and eligible applicants sit the qualification exam.',
  'index.ctaRegister': 'Register as a candidate',
  'index.ctaLogin': 'Log in (already registered)',
  'index.stepsHeading': 'How it works',
  'index.step1Title': 'Register',
  'index.step1Text': 'Enter your personal details, your highest education and your constituency. The birth date is entered in the Persian (solar) calendar.',
  'index.step2Title': 'Eligibility check',
  'index.step2Text': 'The platform checks age, education and military service for your constituency at once and shows the decision with its reasons.',
  'index.step3Title': 'Qualification exam',
  'index.step3Text': 'Eligible applicants sit an online multiple-choice exam at the announced time; the result appears here once it is officially published.',
  'index.rulesHeading': 'Main conditions for standing',
  'index.ruleAge': 'At least 25 years old on election day',
  'index.ruleEducation': 'The minimum education required for the constituency, which depends on whether it is a city or a village and on its size',
  'index.ruleMilitary': 'For men: completed military service or a permanent exemption',

  'register.title': 'Candidate registration — Council Elections',
  'register.heading': 'Candidate registration',
  'register.intro': 'Every field except email is required. Write names in Persian letters.',
  'register.personal': 'Personal details',
  'register.contact': 'Contact',
  'register.candidacy': 'Education and constituency',
  'register.account': 'Password',
  'register.submit': 'Register',
  'form.fixErrors': 'The form has {count} error(s). Each is explained next to its field.',
  'register.constituenciesFailed': 'The list of constituencies could not be loaded. Please reload the page.',
  'register.done': 'You are registered',
  'register.doneFor': 'Registered national ID: {nationalId}',
  'register.next': 'Log in to see your status and your exams.',
  'register.loginLink': 'Log in',
  'register.haveAccount': 'Already registered?',

  'field.national_id': 'National ID',
  'field.national_idHint': '10 digits, no dashes',
  'field.first_name': 'First name',
  'field.last_name': 'Last name',
  'field.father_name': "Father's name",
  'field.birth_date': 'Date of birth',
  'field.birth_dateHint': 'In the Persian (solar Hijri) calendar',
  'field.birth_year': 'Year',
  'field.birth_month': 'Month',
  'field.birth_day': 'Day',
  'field.gender': 'Gender',
  'field.military_service': 'Military service',
  'field.mobile': 'Mobile number',
  'field.mobileHint': 'e.g. 09121234567',
  'field.email': 'Email (optional)',
  'field.education': 'Highest education',
  'field.constituency_id': 'Constituency',
  'field.password': 'Password',
  'field.passwordHint': 'At least 8 characters. Common passwords are refused.',
  'field.registered_at': 'Registered at',

  'gender.male': 'Male',
  'gender.female': 'Female',
  'military.completed': 'Service completed',
  'military.exempt': 'Permanent exemption',
  'military.none': 'Neither',
  'education.literacy': 'Literacy',
  'education.diploma': 'High-school diploma',
  'education.associate': 'Associate degree',
  'education.bachelor': "Bachelor's degree",
  'education.master': "Master's degree",
  'education.doctorate': 'Doctorate',
  'kind.city': 'City',
  'kind.village': 'Village',
  'kind.cities': 'Cities',
  'kind.villages': 'Villages',
  'constituency.city': '{name}, a city of {population} people',
  'constituency.village': '{name}, a village of {households} households',
  'constituency.cityNoProvince': '{name}, a city of {population} people',
  'constituency.villageNoProvince': '{name}, a village of {households} households',

  'err.required': 'This field is required.',
  'err.invalid': 'This value is not valid.',
  'err.national_id.required': 'Enter your national ID.',
  'err.national_id.invalid': 'The national ID must have 10 digits.',
  'err.checksum': 'This national ID is not valid: its check digit is wrong.',
  'err.repeated_digits': 'A national ID cannot be a single repeated digit.',
  'err.not_persian': 'Use Persian letters only.',
  'err.birth_date.required': 'Choose the year, month and day of birth.',
  'err.birth_date.invalid': 'This date of birth is not accepted.',
  'err.not_a_date': 'This date does not exist.',
  'err.future_date': 'The date of birth cannot be in the future.',
  'err.gender.required': 'Choose a gender.',
  'err.military_service.required': 'Choose your military service status.',
  'err.mobile.invalid': 'The mobile number must have 11 digits and start with 09.',
  'err.email.invalid': 'This email address is not valid.',
  'err.too_short': 'This value is too short.',
  'err.too_long': 'This value is too long.',
  'err.too_small': 'This value is too small.',
  'err.too_large': 'This value is too large.',
  'err.duplicate': 'This value is repeated.',
  'err.constituency_id.too_small': 'Choose a constituency.',
  'err.password.too_short': 'The password must have at least 8 characters.',
  'err.password.too_long': 'The password must not be longer than 128 characters.',
  'err.common_password': 'This password is too common; choose another one.',
  'err.unknown_constituency': 'This constituency is not in the list; choose one from the list.',
  'err.constituency_id.required': 'Choose a constituency.',
  'err.education.required': 'Choose your highest education.',
  'err.one_of': 'Choose one of the listed options.',
  'err.not_allowed': 'This field does not apply to you.',
  'err.already_registered': 'This national ID is already registered.',
  'err.unknown': 'This value was not accepted.',

  'err.network': 'Could not reach the service. Check your connection and try again.',
  'err.server': 'Something went wrong on our side. Please try again a little later.',
  'err.generic': 'The request failed. Please try again.',
  'err.tooLarge': 'What was sent is larger than allowed.',

  'login.title': 'Candidate log in — Council Elections',
  'login.heading': 'Candidate log in',
  'login.intro': 'Log in with your national ID and the password you chose when you registered.',
  'login.submit': 'Log in',
  'login.invalid': 'The national ID or password is wrong.',
  'login.tooMany': 'Too many failed attempts. Please try again in {seconds} seconds.',
  'login.tooManyNoWait': 'Too many failed attempts. Please try again in a few minutes.',
  'login.noAccount': 'Not registered yet?',
  'login.success': 'Logged in. Redirecting…',

  'home.title': 'Candidate home — Council Elections',
  'home.welcome': 'Welcome, {name}',
  'home.details': 'Your registration',
  'home.eligibility': 'Eligibility',
  'home.reasons': 'Reasons:',
  'home.exams': 'Exams',
  'home.examsPlaceholder': 'The qualification exams you may sit will be listed here soon.',
  'home.logout': 'Log out',
  'home.loadFailed': 'Your details could not be loaded. Please reload the page.',
  'home.noEmail': 'Not given',
  'home.militaryNotApplicable': '—',

  'elig.yes': 'You are eligible to stand as a candidate',
  'elig.no': 'You are not eligible to stand as a candidate',
  'elig.yesNote': 'Once the qualification exam is announced you can take it from this page.',
  'reason.under_age': 'You will be younger than 25 on election day',
  'reason.over_age': 'You will be older than the maximum age on election day',
  'reason.education_below_required': 'Your education is below the minimum required for this constituency',
  'reason.military_service_required': 'Completed military service or a permanent exemption is required',
  'reason.unknown': 'Condition “{code}” is not met',
};

export const dictionaries = { fa, en };

/** getLang returns the current language: "fa" (default) or "en". */
export function getLang() {
  if (current === null) {
    let stored = null;
    try {
      stored = window.localStorage.getItem(STORAGE_KEY);
    } catch {
      // storage may be disabled; Persian is the default
    }
    current = stored === 'en' ? 'en' : 'fa';
  }
  return current;
}

/** has reports whether a text key exists. */
export function has(key) {
  return Object.hasOwn(fa, key);
}

/**
 * t returns the text for key in the current language, with {name} placeholders
 * filled from vars (numbers written with the language's digits).
 */
export function t(key, vars = {}) {
  const dict = dictionaries[getLang()];
  const text = dict[key] ?? fa[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => {
    if (!(name in vars)) {
      return whole;
    }
    // Numbers take the digits of the language in force when the text is made.
    return typeof vars[name] === 'number' ? formatNumber(vars[name]) : String(vars[name]);
  });
}

function numberLocale() {
  return getLang() === 'fa' ? 'fa-IR' : 'en-US';
}

/** formatNumber formats a number with the digits of the current language (Persian digits in Persian). */
export function formatNumber(n, options = {}) {
  return new Intl.NumberFormat(numberLocale(), options).format(n);
}

/** formatDigits writes a string of digits (e.g. a national ID) with the current language's digits. */
export function formatDigits(s) {
  // Persian (U+06F0…) and Arabic-Indic (U+0660…) digits are read as the digits they are.
  const str = String(s ?? '').replace(/[\u06F0-\u06F9\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) & 0xf));
  return str.replace(/[0-9]/g, (d) => formatNumber(Number(d)));
}

/** dateLocale is the Intl locale for dates: the Persian calendar in both languages. */
export function dateLocale() {
  return getLang() === 'fa' ? 'fa-IR-u-ca-persian' : 'en-US-u-ca-persian';
}

/** formatDate shows a Gregorian "YYYY-MM-DD" (or RFC 3339) calendar date in the Persian calendar. */
export function formatDate(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(value ?? ''));
  if (!m) {
    return '';
  }
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Intl.DateTimeFormat(dateLocale(), { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(ms));
}

/** formatDateTime shows an RFC 3339 instant in the Persian calendar, in the browser's time zone. */
export function formatDateTime(value) {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) {
    return '';
  }
  return new Intl.DateTimeFormat(dateLocale(), { dateStyle: 'long', timeStyle: 'short' }).format(d);
}

/** applyTranslations fills every data-i18n element under root and sets the page's lang and dir. */
export function applyTranslations(root = document) {
  const lang = getLang();
  const html = document.documentElement;
  html.lang = lang;
  html.dir = lang === 'fa' ? 'rtl' : 'ltr';
  for (const el of root.querySelectorAll('[data-i18n]')) {
    el.textContent = t(el.dataset.i18n);
  }
  for (const el of root.querySelectorAll('[data-i18n-aria-label]')) {
    el.setAttribute('aria-label', t(el.dataset.i18nAriaLabel));
  }
  const toggle = document.getElementById('lang-toggle');
  if (toggle) {
    // The button names the other language in that language.
    toggle.lang = lang === 'fa' ? 'en' : 'fa';
  }
}

/** setLang stores the language, re-translates the page and tells the page through a "langchange" event. */
export function setLang(lang) {
  current = lang === 'en' ? 'en' : 'fa';
  try {
    window.localStorage.setItem(STORAGE_KEY, current);
  } catch {
    // without storage the choice lasts for this page only
  }
  applyTranslations();
  document.dispatchEvent(new CustomEvent('langchange', { detail: { lang: getLang() } }));
}

/** initI18n translates the page into the stored language and wires the #lang-toggle button. */
export function initI18n() {
  applyTranslations();
  const toggle = document.getElementById('lang-toggle');
  if (toggle) {
    toggle.addEventListener('click', () => setLang(getLang() === 'fa' ? 'en' : 'fa'));
  }
}
