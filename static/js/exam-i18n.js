// Texts of the exam, receipt-verification and exam-list pages, in Persian (first)
// and English. The language in force is i18n.js's (getLang); this module only adds
// its own dictionaries, so that the site-wide texts stay in one place.
//
// Static texts of these pages are marked data-exam-i18n="key" (text content) and
// data-exam-i18n-aria-label="key" (the aria-label attribute); the site-wide ones
// keep data-i18n and are filled by i18n.js.

import { formatNumber, getLang } from './i18n.js';

const fa = {
  'exam.pageTitle': 'آزمون صلاحیت — سامانهٔ انتخابات شوراها',
  'exam.notFound': 'این آزمون پیدا نشد یا برای شما در دسترس نیست.',
  'exam.noExam': 'نشانی این صفحه آزمونی را مشخص نمی‌کند. آزمون را از صفحهٔ خود برگزینید.',
  'exam.backHome': 'بازگشت به صفحهٔ من',
  'exam.loadFailed': 'بارگیری آزمون ممکن نشد. اتصال خود را بررسی کنید و صفحه را دوباره بارگیری کنید.',

  'start.kicker': 'آزمون صلاحیت داوطلبان',
  'start.facts': 'مشخصات آزمون',
  'start.duration': 'مدت آزمون',
  'start.questions': 'تعداد پرسش‌ها',
  'start.questionsValue': '{count} پرسش چندگزینه‌ای',
  'start.pass': 'حد نصاب قبولی',
  'start.passValue': '{percent} از کل نمره',
  'start.penalty': 'نمرهٔ منفی',
  'start.penaltyNone': 'ندارد؛ پاسخ نادرست نمره‌ای کم نمی‌کند',
  'start.penaltyValue': 'هر پاسخ نادرست {fraction} نمرهٔ یک پاسخ درست را کم می‌کند؛ پرسش بی‌پاسخ نمرهٔ منفی ندارد',
  'start.window': 'زمان برگزاری',
  'start.windowValue': 'از {opens} تا {closes}',
  'start.attempts': 'دفعات شرکت',
  'start.attemptsValue': '{used} از {max} بار',
  'start.sections': 'بخش‌های آزمون',
  'start.sectionCol': 'بخش',
  'start.drawCol': 'تعداد پرسش',
  'start.minCol': 'حداقل نمرهٔ لازم در بخش',
  'start.sectionsNote': 'برای قبولی باید افزون بر حد نصاب کل، در هر بخش دست‌کم به حداقل نمرهٔ آن بخش برسید.',
  'start.rules': 'پیش از شروع بخوانید',
  'start.rule1': 'زمان آزمون را ساعت سامانه می‌سنجد، نه ساعت رایانهٔ شما. زمان از لحظهٔ زدن دکمهٔ «شروع آزمون» آغاز می‌شود و با بستن صفحه یا قطع اتصال متوقف نمی‌شود.',
  'start.rule2': 'پرسش‌ها یکی‌یکی نمایش داده می‌شوند. با جدول پرسش‌ها به هر پرسش می‌روید و پرسش‌هایی را که می‌خواهید دوباره ببینید علامت می‌زنید.',
  'start.rule3': 'هر پاسخ بی‌درنگ ذخیره می‌شود. اگر اتصال قطع شود، پاسخ‌ها در همین مرورگر نگه داشته و پس از برقراری اتصال فرستاده می‌شوند.',
  'start.rule4': 'اگر صفحه را دوباره بارگیری کنید یا با رایانهٔ دیگری ادامه دهید، پاسخ‌های ذخیره‌شده سر جای خود هستند. ورود از رایانهٔ دیگر، نشست رایانهٔ قبلی را می‌بندد.',
  'start.rule5': 'پنج دقیقه و یک دقیقه پیش از پایان وقت هشدار داده می‌شود. با پایان وقت، پاسخ‌های ذخیره‌شده خودکار تحویل داده می‌شوند.',
  'start.rule6': 'پس از تحویل، رسیدی با امضای دیجیتال سامانه می‌گیرید که نشان می‌دهد چه زمانی و با چه پاسخ‌هایی آزمون را تحویل داده‌اید.',
  'start.keys': 'میان‌برهای صفحه‌کلید: کلیدهای ۱ تا ۶ گزینهٔ هم‌شماره را برمی‌گزینند، N پرسش بعدی، P پرسش قبلی و F علامت بازبینی.',
  'start.button': 'شروع آزمون',
  'start.resume': 'ادامهٔ آزمون',
  'start.starting': 'در حال آغاز آزمون…',
  'start.notYet': 'این آزمون هنوز آغاز نشده است؛ زمان آغاز: {time}',
  'start.closed': 'مهلت شرکت در این آزمون به پایان رسیده است.',
  'start.exhausted': 'شما از همهٔ دفعات مجاز شرکت در این آزمون استفاده کرده‌اید.',
  'start.ineligible': 'فقط داوطلبان واجد شرایط نامزدی می‌توانند در آزمون صلاحیت شرکت کنند. دلایل را در صفحهٔ خود ببینید.',
  'start.previous': 'آزمون پیشین شما تحویل داده شده است.',
  'start.viewReceipt': 'دیدن رسید',
  'start.notFoundErr': 'این آزمون پیدا نشد.',

  'sit.questionOf': 'پرسش {n} از {total}',
  'sit.timeLeft': 'زمان باقی‌مانده',
  'sit.prev': 'پرسش قبلی',
  'sit.next': 'پرسش بعدی',
  'sit.flag': 'علامت برای بازبینی',
  'sit.clear': 'پاک کردن پاسخ',
  'sit.submit': 'تحویل آزمون',
  'sit.nav': 'جدول پرسش‌ها',
  'sit.legendAnswered': 'پاسخ‌داده',
  'sit.legendFlagged': 'علامت‌دار',
  'sit.legendBlank': 'بی‌پاسخ',
  'sit.legendCurrent': 'پرسش کنونی',
  'sit.summary': '{answered} از {total} پرسش پاسخ داده شده',
  'sit.navItem': 'پرسش {n}',
  'sit.navAnswered': 'پاسخ داده شده',
  'sit.navBlank': 'بی‌پاسخ',
  'sit.navFlagged': 'علامت‌دار',
  'sit.keys': 'میان‌برهای صفحه‌کلید: ۱ تا ۶ برای گزینه‌ها، N پرسش بعدی، P پرسش قبلی، F علامت',
  'sit.warn5': 'پنج دقیقه به پایان وقت آزمون مانده است.',
  'sit.warn1': 'یک دقیقه به پایان وقت آزمون مانده است.',
  'sit.timeOver': 'وقت آزمون تمام شد. پاسخ‌های ذخیره‌شدهٔ شما تحویل داده می‌شود…',
  'sit.extended': 'وقت آزمون شما تمدید شد.',

  'save.idle': 'پاسخ‌ها خودکار ذخیره می‌شوند',
  'save.saving': 'در حال ذخیره…',
  'save.saved': 'ذخیره شد',
  'save.savedAt': 'ذخیره شد، ساعت {time}',
  'save.offline': 'اتصال برقرار نیست؛ {count} پاسخ در این مرورگر نگه داشته شده و دوباره فرستاده می‌شود',
  'save.offlineIdle': 'اتصال برقرار نیست؛ پاسخ‌های تازه در این مرورگر نگه داشته و پس از برقراری اتصال فرستاده می‌شوند',
  'save.retry': 'ذخیره نشد؛ {count} پاسخ دوباره فرستاده می‌شود',
  'save.sessionEnded': 'نشست شما بسته شده است (شاید از رایانهٔ دیگری وارد شده‌اید). پاسخ‌های ارسال‌نشده در این مرورگر نگه داشته شده‌اند؛ دوباره وارد شوید و به آزمون برگردید.',
  'save.relogin': 'ورود دوباره',
  'save.rejected': 'پاسخ پرسش {n} پذیرفته نشد.',
  'save.finished': 'آزمون پیش‌تر تحویل داده شده است.',

  'confirm.heading': 'آزمون تحویل داده شود؟',
  'confirm.text': 'پس از تحویل، دیگر نمی‌توانید پاسخی را تغییر دهید.',
  'confirm.unanswered': 'پرسش‌های بی‌پاسخ ({count}):',
  'confirm.flagged': 'پرسش‌های علامت‌دار ({count}):',
  'confirm.allAnswered': 'به همهٔ پرسش‌ها پاسخ داده‌اید.',
  'confirm.noFlagged': 'پرسش علامت‌داری ندارید.',
  'confirm.goto': 'رفتن به پرسش {n}',
  'confirm.yes': 'تحویل می‌دهم',
  'confirm.no': 'بازگشت به آزمون',
  'confirm.flushing': 'در حال فرستادن پاسخ‌های ذخیره‌نشده…',
  'confirm.cannotFlush': 'برخی پاسخ‌ها هنوز به سامانه نرسیده‌اند. اتصال را بررسی کنید و دوباره تلاش کنید؛ تا آن زمان آزمون تحویل داده نمی‌شود.',
  'confirm.submitting': 'در حال تحویل…',

  'done.submitted': 'آزمون شما تحویل داده شد',
  'done.timeout': 'وقت آزمون تمام شد و پاسخ‌های شما تحویل داده شد',
  'done.exam': 'آزمون',
  'done.submittedAt': 'زمان تحویل',
  'done.reason': 'نحوهٔ پایان',
  'done.answered': 'پرسش‌های پاسخ‌داده',
  'done.answeredValue': '{answered} از {total}',
  'done.attemptId': 'شناسهٔ شرکت در آزمون',
  'done.receipt': 'رسید امضاشده',
  'done.receiptHelp': 'این رسید را نگه دارید. سامانه آن را با امضای دیجیتال (Ed25519) امضا کرده است و نشان می‌دهد چه کسی، چه زمانی و با چه پاسخ‌هایی آزمون را تحویل داده است. تغییر حتی یک نویسهٔ آن، رسید را نامعتبر می‌کند.',
  'done.receiptLabel': 'متن رسید',
  'done.copy': 'رونوشت رسید',
  'done.copied': 'رسید رونوشت شد.',
  'done.copyFailed': 'رونوشت خودکار ممکن نشد؛ متن رسید انتخاب شده است، آن را رونوشت کنید.',
  'done.noReceipt': 'رسید این آزمون هنوز آماده نیست. کمی بعد همین صفحه را دوباره بارگیری کنید.',
  'done.verify': 'چگونه رسید را بررسی کنم؟',
  'done.verifyWeb': 'در صفحهٔ بررسی رسید، متن رسید را بچسبانید:',
  'done.verifyLink': 'بررسی این رسید',
  'done.verifyCli': 'یا بدون نیاز به اینترنت، با کلید عمومی سامانه و این فرمان:',
  'done.publicKey': 'کلید عمومی سامانه (Ed25519):',
  'done.results': 'نمره و نتیجه پس از اعلام رسمی در صفحهٔ شما نمایش داده می‌شود.',

  'reason.submitted': 'تحویل به دست داوطلب',
  'reason.timeout': 'پایان وقت آزمون',

  'verify.pageTitle': 'بررسی رسید آزمون — سامانهٔ انتخابات شوراها',
  'verify.heading': 'بررسی رسید آزمون',
  'verify.intro': 'رسیدی را که پس از تحویل آزمون گرفته‌اید اینجا بچسبانید تا امضای دیجیتال آن با کلید سامانه بررسی شود. این بررسی به ورود نیاز ندارد.',
  'verify.label': 'متن رسید',
  'verify.hint': 'رسید دو بخش دارد که با نقطه از هم جدا شده‌اند؛ آن را کامل و بی‌تغییر بچسبانید.',
  'verify.button': 'بررسی رسید',
  'verify.checking': 'در حال بررسی…',
  'verify.empty': 'متن رسید را وارد کنید.',
  'verify.valid': 'رسید معتبر است',
  'verify.validNote': 'امضای این رسید با کلید سامانه می‌خواند و محتوای آن دست نخورده است.',
  'verify.invalid': 'رسید معتبر نیست',
  'verify.invalidNote': 'امضای این رسید با کلید سامانه نمی‌خواند: رسید تغییر کرده، ناقص رونوشت شده یا از این سامانه نیست.',
  'verify.payload': 'محتوای رسید',
  'verify.offline': 'بررسی بدون اینترنت',
  'verify.offlineText': 'با برنامهٔ examd و کلید عمومی سامانه می‌توانید رسید را بدون اتصال به سامانه بررسی کنید:',
  'field.attempt_id': 'شناسهٔ شرکت در آزمون',
  'field.exam_id': 'شناسهٔ آزمون',
  'field.national_id': 'کد ملی',
  'field.finish_reason': 'نحوهٔ پایان',
  'field.submitted_at': 'زمان تحویل',
  'field.answers_sha256': 'چکیدهٔ SHA-256 پاسخ‌ها',

  'list.loading': 'در حال بارگیری آزمون‌ها…',
  'list.failed': 'فهرست آزمون‌ها بارگیری نشد. صفحه را دوباره بارگیری کنید.',
  'list.none': 'اکنون آزمونی برای شما برنامه‌ریزی نشده است.',
  'list.ineligible': 'چون واجد شرایط نامزدی نیستید، نمی‌توانید در آزمون صلاحیت شرکت کنید. دلایل آن در بخش «وضعیت نامزدی» آمده است.',
  'list.window': 'زمان برگزاری: از {opens} تا {closes}',
  'list.facts': '{duration}، {questions} پرسش، حد نصاب قبولی {pass}',
  'list.attempts': 'دفعات شرکت: {used} از {max}',
  'list.start': 'شروع آزمون',
  'list.resume': 'ادامهٔ آزمون',
  'list.again': 'شرکت دوباره',
  'list.details': 'مشخصات آزمون',
  'list.running': 'در حال برگزاری',
  'list.handedIn': 'تحویل داده شد',
  'list.timedOut': 'وقت تمام شد؛ تحویل داده شد',
  'list.receipt': 'دیدن رسید',
  'list.result': 'دیدن کارنامه',
  'list.resultPending': 'کارنامه و اعتراض',
  'list.resultsOut': 'نتیجه اعلام شد',
  'list.notYet': 'آغاز: {time}',
  'list.closed': 'مهلت شرکت پایان یافته است',
  'list.startLabel': '{action}: {title}',

  'dur.seconds': '{s} ثانیه',
  'dur.minutes': '{m} دقیقه',
  'dur.minutesSeconds': '{m} دقیقه و {s} ثانیه',
  'dur.hours': '{h} ساعت',
  'dur.hoursMinutes': '{h} ساعت و {m} دقیقه',
};

const en = {
  'exam.pageTitle': 'Qualification exam — Council Elections',
  'exam.notFound': 'This exam was not found or is not open to you.',
  'exam.noExam': 'This address names no exam. Choose the exam from your page.',
  'exam.backHome': 'Back to my page',
  'exam.loadFailed': 'The exam could not be loaded. Check your connection and reload the page.',

  'start.kicker': 'Candidate qualification exam',
  'start.facts': 'About the exam',
  'start.duration': 'Duration',
  'start.questions': 'Questions',
  'start.questionsValue': '{count} multiple-choice questions',
  'start.pass': 'Pass mark',
  'start.passValue': '{percent} of the total score',
  'start.penalty': 'Wrong answers',
  'start.penaltyNone': 'No penalty: a wrong answer takes nothing off',
  'start.penaltyValue': 'Each wrong answer takes off {fraction} of a correct answer’s points; a blank question takes off nothing',
  'start.window': 'Open',
  'start.windowValue': 'from {opens} to {closes}',
  'start.attempts': 'Attempts',
  'start.attemptsValue': '{used} of {max} used',
  'start.sections': 'Sections',
  'start.sectionCol': 'Section',
  'start.drawCol': 'Questions',
  'start.minCol': 'Minimum score in the section',
  'start.sectionsNote': 'To pass you need the overall pass mark and, in every section, at least that section’s minimum.',
  'start.rules': 'Read before you start',
  'start.rule1': 'The platform’s clock times the exam, not your computer’s. Time starts when you press “Start the exam” and does not stop if you close the page or lose the connection.',
  'start.rule2': 'Questions are shown one at a time. The question grid takes you to any question, and you can flag questions to come back to.',
  'start.rule3': 'Every answer is saved at once. If the connection drops, your answers are kept in this browser and sent when it is back.',
  'start.rule4': 'If you reload the page or continue on another computer, your saved answers are all there. Logging in on another computer closes the session on the first one.',
  'start.rule5': 'You are warned five minutes and one minute before the end. When time is up, your saved answers are handed in automatically.',
  'start.rule6': 'When you hand in, you get a receipt signed by the platform that shows when and with which answers you handed in.',
  'start.keys': 'Keyboard: keys 1 to 6 choose the option with that number, N next question, P previous question, F flag for review.',
  'start.button': 'Start the exam',
  'start.resume': 'Continue the exam',
  'start.starting': 'Starting the exam…',
  'start.notYet': 'This exam has not opened yet; it opens {time}.',
  'start.closed': 'This exam is closed.',
  'start.exhausted': 'You have used all your attempts at this exam.',
  'start.ineligible': 'Only candidates who are eligible to stand may sit the qualification exam. See the reasons on your page.',
  'start.previous': 'Your previous attempt has been handed in.',
  'start.viewReceipt': 'See the receipt',
  'start.notFoundErr': 'This exam was not found.',

  'sit.questionOf': 'Question {n} of {total}',
  'sit.timeLeft': 'Time left',
  'sit.prev': 'Previous',
  'sit.next': 'Next',
  'sit.flag': 'Flag for review',
  'sit.clear': 'Clear answer',
  'sit.submit': 'Hand in',
  'sit.nav': 'Question grid',
  'sit.legendAnswered': 'Answered',
  'sit.legendFlagged': 'Flagged',
  'sit.legendBlank': 'Blank',
  'sit.legendCurrent': 'Current',
  'sit.summary': '{answered} of {total} answered',
  'sit.navItem': 'Question {n}',
  'sit.navAnswered': 'answered',
  'sit.navBlank': 'blank',
  'sit.navFlagged': 'flagged',
  'sit.keys': 'Keys: 1–6 choose · N next · P previous · F flag',
  'sit.warn5': 'Five minutes left.',
  'sit.warn1': 'One minute left.',
  'sit.timeOver': 'Time is up. Your saved answers are being handed in…',
  'sit.extended': 'Your time has been extended.',

  'save.idle': 'Answers are saved automatically',
  'save.saving': 'Saving…',
  'save.saved': 'Saved',
  'save.savedAt': 'Saved · {time}',
  'save.offline': 'Offline: {count} answer(s) kept in this browser, will retry',
  'save.offlineIdle': 'Offline: new answers are kept in this browser and sent when the connection is back',
  'save.retry': 'Not saved: {count} answer(s) will be sent again',
  'save.sessionEnded': 'Your session has ended (perhaps you logged in on another computer). Unsent answers are kept in this browser; log in again and come back to the exam.',
  'save.relogin': 'Log in again',
  'save.rejected': 'The answer to question {n} was not accepted.',
  'save.finished': 'The exam has already been handed in.',

  'confirm.heading': 'Hand in the exam?',
  'confirm.text': 'Once handed in, no answer can be changed.',
  'confirm.unanswered': 'Unanswered questions ({count}):',
  'confirm.flagged': 'Flagged questions ({count}):',
  'confirm.allAnswered': 'You have answered every question.',
  'confirm.noFlagged': 'No question is flagged.',
  'confirm.goto': 'Go to question {n}',
  'confirm.yes': 'Hand in',
  'confirm.no': 'Back to the exam',
  'confirm.flushing': 'Sending the answers not yet saved…',
  'confirm.cannotFlush': 'Some answers have not reached the platform yet. Check your connection and try again; the exam is not handed in until they have.',
  'confirm.submitting': 'Handing in…',

  'done.submitted': 'Your exam has been handed in',
  'done.timeout': 'Time ran out and your answers have been handed in',
  'done.exam': 'Exam',
  'done.submittedAt': 'Handed in at',
  'done.reason': 'How it ended',
  'done.answered': 'Questions answered',
  'done.answeredValue': '{answered} of {total}',
  'done.attemptId': 'Attempt ID',
  'done.receipt': 'Signed receipt',
  'done.receiptHelp': 'Keep this receipt. The platform signed it digitally (Ed25519); it shows who handed in, when, and with which answers. Changing a single character makes it invalid.',
  'done.receiptLabel': 'Receipt text',
  'done.copy': 'Copy the receipt',
  'done.copied': 'Receipt copied.',
  'done.copyFailed': 'Could not copy automatically; the receipt text is selected, copy it.',
  'done.noReceipt': 'The receipt is not ready yet. Reload this page in a little while.',
  'done.verify': 'How do I check the receipt?',
  'done.verifyWeb': 'Paste it on the receipt check page:',
  'done.verifyLink': 'Check this receipt',
  'done.verifyCli': 'Or offline, with the platform’s public key and this command:',
  'done.publicKey': 'The platform’s public key (Ed25519):',
  'done.results': 'Your score and result appear on your page once they are officially published.',

  'reason.submitted': 'Handed in by the candidate',
  'reason.timeout': 'Time ran out',

  'verify.pageTitle': 'Check an exam receipt — Council Elections',
  'verify.heading': 'Check an exam receipt',
  'verify.intro': 'Paste the receipt you got when you handed in the exam; its digital signature is checked against the platform’s key. No login is needed.',
  'verify.label': 'Receipt text',
  'verify.hint': 'A receipt has two parts separated by a dot; paste it whole and unchanged.',
  'verify.button': 'Check the receipt',
  'verify.checking': 'Checking…',
  'verify.empty': 'Enter the receipt text.',
  'verify.valid': 'The receipt is valid',
  'verify.validNote': 'The signature matches the platform’s key and the contents are untouched.',
  'verify.invalid': 'The receipt is not valid',
  'verify.invalidNote': 'The signature does not match the platform’s key: the receipt was changed, copied incompletely, or does not come from this platform.',
  'verify.payload': 'What the receipt says',
  'verify.offline': 'Checking offline',
  'verify.offlineText': 'With the examd program and the platform’s public key you can check a receipt without reaching the platform:',
  'field.attempt_id': 'Attempt ID',
  'field.exam_id': 'Exam ID',
  'field.national_id': 'National ID',
  'field.finish_reason': 'How it ended',
  'field.submitted_at': 'Handed in at',
  'field.answers_sha256': 'SHA-256 of the answers',

  'list.loading': 'Loading your exams…',
  'list.failed': 'Your exams could not be loaded. Please reload the page.',
  'list.none': 'No exam is scheduled for you at the moment.',
  'list.ineligible': 'As you are not eligible to stand, you cannot sit the qualification exam. The reasons are under “Eligibility”.',
  'list.window': 'Open from {opens} to {closes}',
  'list.facts': '{duration} · {questions} questions · pass mark {pass}',
  'list.attempts': 'Attempts: {used} of {max}',
  'list.start': 'Start the exam',
  'list.resume': 'Continue the exam',
  'list.again': 'Sit it again',
  'list.details': 'About the exam',
  'list.running': 'In progress',
  'list.handedIn': 'Handed in',
  'list.timedOut': 'Time ran out; handed in',
  'list.receipt': 'See the receipt',
  'list.result': 'See your result',
  'list.resultPending': 'Result and objections',
  'list.resultsOut': 'Results published',
  'list.notYet': 'Opens {time}',
  'list.closed': 'Closed',
  'list.startLabel': '{action}: {title}',

  'dur.seconds': '{s} seconds',
  'dur.minutes': '{m} minutes',
  'dur.minutesSeconds': '{m} min {s} s',
  'dur.hours': '{h} hours',
  'dur.hoursMinutes': '{h} h {m} min',
};

export const examDictionaries = { fa, en };

/**
 * xt returns the exam text for key in the current language, with {name}
 * placeholders filled from vars (numbers written with the language's digits).
 */
export function xt(key, vars = {}) {
  const dict = examDictionaries[getLang()];
  const text = dict[key] ?? fa[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => {
    if (!(name in vars)) {
      return whole;
    }
    return typeof vars[name] === 'number' ? formatNumber(vars[name]) : String(vars[name]);
  });
}

/** formatDuration writes a number of seconds as minutes (and seconds, or hours) in words. */
export function formatDuration(seconds) {
  const s = Math.max(0, Math.round(Number(seconds) || 0));
  if (s < 60) {
    return xt('dur.seconds', { s });
  }
  if (s >= 3600 && s % 60 === 0) {
    const h = Math.floor(s / 3600);
    const m = (s % 3600) / 60;
    return m === 0 ? xt('dur.hours', { h }) : xt('dur.hoursMinutes', { h, m });
  }
  const m = Math.floor(s / 60);
  const rest = s % 60;
  return rest === 0 ? xt('dur.minutes', { m }) : xt('dur.minutesSeconds', { m, s: rest });
}

/** formatPercent writes a 0–100 percent with the language's digits and sign (۵۰٪, 50%). */
export function formatPercent(p) {
  return formatNumber(Number(p) / 100, { style: 'percent', maximumFractionDigits: 2 });
}

/** applyExamTranslations fills every data-exam-i18n element under root. */
export function applyExamTranslations(root = document) {
  for (const el of root.querySelectorAll('[data-exam-i18n]')) {
    el.textContent = xt(el.dataset.examI18n);
  }
  for (const el of root.querySelectorAll('[data-exam-i18n-aria-label]')) {
    el.setAttribute('aria-label', xt(el.dataset.examI18nAriaLabel));
  }
}
