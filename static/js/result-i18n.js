// Texts of the result page (/result), in Persian (first) and English. The
// language in force is i18n.js's (getLang); this module only adds its own
// dictionaries, as exam-i18n.js does for the exam pages.
//
// Static texts of the page are marked data-result-i18n="key" (text content)
// and data-result-i18n-aria-label="key" (the aria-label attribute); the
// site-wide ones keep data-i18n and are filled by i18n.js.

import { formatNumber, getLang } from './i18n.js';

const fa = {
  'result.pageTitle': 'کارنامهٔ آزمون — سامانهٔ انتخابات شوراها',
  'result.kicker': 'کارنامهٔ آزمون صلاحیت',
  'result.noAttempt': 'نشانی این صفحه آزمونی را مشخص نمی‌کند. کارنامه را از صفحهٔ خود باز کنید.',
  'result.notFound': 'این کارنامه پیدا نشد یا از آنِ شما نیست.',
  'result.loadFailed': 'بارگیری کارنامه ممکن نشد. اتصال خود را بررسی کنید و صفحه را دوباره بارگیری کنید.',
  'result.backHome': 'بازگشت به صفحهٔ من',
  'result.handedInAt': 'زمان تحویل',
  'result.finishReason': 'نحوهٔ پایان',
  'result.reason.submitted': 'تحویل به دست داوطلب',
  'result.reason.timeout': 'پایان وقت آزمون',
  'result.attemptId': 'شناسهٔ شرکت در آزمون',
  'result.running': 'این آزمون هنوز در حال برگزاری است؛ کارنامه پس از تحویل و اعلام نتایج آماده می‌شود.',
  'result.continue': 'ادامهٔ آزمون',

  'result.notPublishedTitle': 'نتایج هنوز اعلام نشده است',
  'result.notPublished': 'آزمون شما تحویل داده شده است، اما نتایج این آزمون هنوز به‌طور رسمی اعلام نشده است. پس از اعلام، نمره و نتیجهٔ شما در همین صفحه نمایش داده می‌شود.',

  'result.overall': 'نمرهٔ کل',
  'result.passMark': 'حد نصاب قبولی: {percent}',
  'result.rawScore': 'نمرهٔ خام: {score} از {max}',
  'result.passed': 'قبول شدید',
  'result.failed': 'قبول نشدید',
  'result.passedNote': 'نمرهٔ کل شما {percent} است و به حد نصاب قبولی ({pass}) رسیده است؛ در همهٔ بخش‌ها نیز به حداقل نمرهٔ لازم رسیده‌اید.',
  'result.overallBelow': 'نمرهٔ کل شما {percent} است و به حد نصاب قبولی ({pass}) نرسیده است.',
  'result.overallMet': 'نمرهٔ کل شما {percent} است و به حد نصاب قبولی ({pass}) رسیده است.',
  'result.sectionsBelow': 'در این بخش به حداقل نمرهٔ لازم نرسیده‌اید: {sections}.',
  'result.sectionsBelowMany': 'در این بخش‌ها به حداقل نمرهٔ لازم نرسیده‌اید: {sections}.',
  'result.rule': 'برای قبولی باید هم نمرهٔ کل به حد نصاب برسد و هم نمرهٔ هر بخش به حداقل لازم همان بخش.',
  'result.scale': 'مقیاس نوار از {from} تا {to} است؛ خط عمودی حد لازم را نشان می‌دهد.',

  'result.sections': 'نمره در هر بخش',
  'result.sectionPassed': 'به حداقل لازم رسیده است',
  'result.sectionFailed': 'کمتر از حداقل لازم',
  'result.sectionScore': 'نمرهٔ شما',
  'result.sectionMin': 'حداقل لازم',
  'result.sectionCounts': '{correct} درست، {wrong} نادرست، {blank} بی‌پاسخ؛ نمرهٔ خام {score} از {max}',

  'obj.heading': 'اعتراض به پرسش',
  'obj.intro': 'اگر پرسشی از آزمون خود را نادرست یا مبهم می‌دانید، پس از پایان آزمون و تا پایان مهلت اعتراض می‌توانید به آن اعتراض کنید. به هر پرسش یک بار می‌توان اعتراض کرد. کارشناسان همهٔ اعتراض‌ها را بررسی می‌کنند و اگر اعتراضی پذیرفته شود، نمرهٔ همهٔ داوطلبانی که آن پرسش را داشته‌اند دوباره محاسبه می‌شود.',
  'obj.question': 'پرسش مورد اعتراض',
  'obj.choose': 'یک پرسش را انتخاب کنید',
  'obj.option': 'پرسش {n} ({section}): {stem}',
  'obj.optionFiled': '[اعتراض ثبت شد] پرسش {n} ({section}): {stem}',
  'obj.previewHeading': 'پرسش {n} از بخش «{section}»',
  'obj.yourAnswer': 'پاسخ شما',
  'obj.noAnswer': 'به این پرسش پاسخ نداده‌اید.',
  'obj.text': 'متن اعتراض',
  'obj.textHint': 'دلیل اعتراض خود را روشن و کوتاه بنویسید؛ حداکثر {max} نویسه.',
  'obj.count': '{n} از {max} نویسه',
  'obj.submit': 'ثبت اعتراض',
  'obj.sending': 'در حال ثبت اعتراض…',
  'obj.accepted': 'اعتراض شما به پرسش {n} ثبت شد و در انتظار بررسی است.',
  'obj.windowClosed': 'اکنون مهلت اعتراض باز نیست. اعتراض فقط پس از پایان آزمون و تا پایان مهلت اعتراض پذیرفته می‌شود.',
  'obj.attemptRunning': 'تا آزمون را تحویل نداده‌اید نمی‌توانید اعتراض کنید.',
  'obj.fix': 'اعتراض ثبت نشد؛ توضیح خطا کنار همان بخش آمده است.',
  'obj.err.question_id.choose': 'پرسشی را که به آن اعتراض دارید انتخاب کنید.',
  'obj.err.question_id.unknown_question': 'این پرسش در آزمون شما نبوده است؛ از فهرست انتخاب کنید.',
  'obj.err.question_id.already_objected': 'پیش‌تر به این پرسش اعتراض کرده‌اید؛ به هر پرسش یک بار می‌توان اعتراض کرد.',
  'obj.err.text.required': 'متن اعتراض را بنویسید.',
  'obj.err.text.too_long': 'متن اعتراض نباید بیش از {max} نویسه باشد.',
  'obj.err.unknown': 'این مقدار پذیرفته نشد.',
};

const en = {
  'result.pageTitle': 'Exam result — Council Elections',
  'result.kicker': 'Qualification exam result',
  'result.noAttempt': 'This address names no exam. Open your result from your page.',
  'result.notFound': 'This result was not found or is not yours.',
  'result.loadFailed': 'The result could not be loaded. Check your connection and reload the page.',
  'result.backHome': 'Back to my page',
  'result.handedInAt': 'Handed in at',
  'result.finishReason': 'How it ended',
  'result.reason.submitted': 'Handed in by the candidate',
  'result.reason.timeout': 'Time ran out',
  'result.attemptId': 'Attempt ID',
  'result.running': 'This exam is still in progress; the result is ready once it is handed in and results are published.',
  'result.continue': 'Continue the exam',

  'result.notPublishedTitle': 'Results are not published yet',
  'result.notPublished': 'Your exam has been handed in, but the results of this exam have not been officially published yet. Once they are, your score and result appear on this page.',

  'result.overall': 'Overall score',
  'result.passMark': 'Pass mark: {percent}',
  'result.rawScore': 'Raw score: {score} of {max}',
  'result.passed': 'You passed',
  'result.failed': 'You did not pass',
  'result.passedNote': 'Your overall score is {percent}, which meets the pass mark ({pass}), and you reached the minimum in every section.',
  'result.overallBelow': 'Your overall score is {percent}, below the pass mark ({pass}).',
  'result.overallMet': 'Your overall score is {percent}, which meets the pass mark ({pass}).',
  'result.sectionsBelow': 'You did not reach the minimum in this section: {sections}.',
  'result.sectionsBelowMany': 'You did not reach the minimum in these sections: {sections}.',
  'result.rule': 'To pass, the overall score must reach the pass mark and every section’s score must reach that section’s minimum.',
  'result.scale': 'The bars run from {from} to {to}; the vertical line marks what is required.',

  'result.sections': 'Score by section',
  'result.sectionPassed': 'Minimum reached',
  'result.sectionFailed': 'Below the minimum',
  'result.sectionScore': 'Your score',
  'result.sectionMin': 'Minimum',
  'result.sectionCounts': '{correct} right, {wrong} wrong, {blank} blank; raw score {score} of {max}',

  'obj.heading': 'Object to a question',
  'obj.intro': 'If you think a question of your exam was wrong or ambiguous, you may object to it after the exam closes, until the objection period ends. You can object to each question once. Officials review every objection; if one is upheld, everyone who had that question is scored again.',
  'obj.question': 'Question',
  'obj.choose': 'Choose a question',
  'obj.option': 'Question {n} ({section}): {stem}',
  'obj.optionFiled': '[objection filed] Question {n} ({section}): {stem}',
  'obj.previewHeading': 'Question {n}, section “{section}”',
  'obj.yourAnswer': 'Your answer',
  'obj.noAnswer': 'You left this question blank.',
  'obj.text': 'Your objection',
  'obj.textHint': 'Say clearly and briefly why you object; at most {max} characters.',
  'obj.count': '{n} of {max} characters',
  'obj.submit': 'File the objection',
  'obj.sending': 'Filing the objection…',
  'obj.accepted': 'Your objection to question {n} has been received and awaits review.',
  'obj.windowClosed': 'The objection period is not open now. Objections are accepted only after the exam closes, until the objection period ends.',
  'obj.attemptRunning': 'You cannot object before you hand in the exam.',
  'obj.fix': 'The objection was not filed; the problem is explained next to the field.',
  'obj.err.question_id.choose': 'Choose the question you object to.',
  'obj.err.question_id.unknown_question': 'This question was not in your exam; choose one from the list.',
  'obj.err.question_id.already_objected': 'You have already objected to this question; each question takes one objection.',
  'obj.err.text.required': 'Write your objection.',
  'obj.err.text.too_long': 'The objection may be at most {max} characters.',
  'obj.err.unknown': 'This value was not accepted.',
};

export const resultDictionaries = { fa, en };

/** has reports whether a result-page text key exists. */
export function hasResultText(key) {
  return Object.hasOwn(fa, key);
}

/**
 * rt returns the result-page text for key in the current language, with
 * {name} placeholders filled from vars (numbers written with the language's digits).
 */
export function rt(key, vars = {}) {
  const dict = resultDictionaries[getLang()];
  const text = dict[key] ?? fa[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => {
    if (!(name in vars)) {
      return whole;
    }
    return typeof vars[name] === 'number' ? formatNumber(vars[name]) : String(vars[name]);
  });
}

/** applyResultTranslations fills every data-result-i18n element under root. */
export function applyResultTranslations(root = document) {
  for (const el of root.querySelectorAll('[data-result-i18n]')) {
    el.textContent = rt(el.dataset.resultI18n);
  }
  for (const el of root.querySelectorAll('[data-result-i18n-aria-label]')) {
    el.setAttribute('aria-label', rt(el.dataset.resultI18nAriaLabel));
  }
}
