# អត្ថបទសម្រាប់អតិថិជន និងអ្នកគ្រប់គ្រង (same keys as en.ftl)

## Menu and buttons

menu-topup = 💳 បញ្ចូលទឹកប្រាក់
menu-balance = 💰 សមតុល្យ
menu-history = 🧾 ប្រវត្តិ
menu-link = 🔗 ភ្ជាប់គណនី
menu-help = ❓ ជំនួយ
menu-language = 🌐 ភាសា / Language
button-new-topup = 💳 បញ្ចូលទឹកប្រាក់ម្តងទៀត
button-link = 🔗 ភ្ជាប់គណនីរបស់ខ្ញុំ
button-cancel = ✖️ បោះបង់
button-pay-aba = 💳 បង់ក្នុង ABA Mobile
button-open-bank-app = 📱 បើកក្នុងកម្មវិធីធនាគារ
button-check = ✅ ខ្ញុំបានបង់ហើយ — ពិនិត្យ
button-cancel-topup = ✖️ បោះបង់ការបញ្ចូលនេះ
button-show-again = 🔁 បង្ហាញម្តងទៀត
button-expired = ប៊ូតុងនេះលែងប្រើបានហើយ។
language-button-km = 🇰🇭 ភាសាខ្មែរ
language-button-en = 🇬🇧 English
provider-bakong = 🏦 KHQR · Bakong
provider-raksmeypay = 🏦 KHQR · RaksmeyPay
provider-kess = 🏦 KHQR · KESS Pay
provider-payway = 🏦 KHQR · ABA PayWay
provider-ahnajak = 💳 ABA Pay

## Commands

command-topup = បញ្ចូលទឹកប្រាក់ទៅគណនី panel
command-balance = មើលសមតុល្យរបស់អ្នក
command-history = ការបញ្ចូលទឹកប្រាក់ចុងក្រោយ
command-link = ភ្ជាប់ ឬប្តូរគណនី panel
command-language = ភាសា / Language
command-help = របៀបប្រើប្រាស់
command-cancel = បោះបង់អ្វីដែលកំពុងធ្វើ

## Start, language, help

start-greeting = សួស្តី { $name }! 👋
    ខ្ញុំជួយបញ្ចូលទឹកប្រាក់ទៅក្នុងគណនី panel របស់អ្នកតាម KHQR៖ បង់ពីកម្មវិធីធនាគារណាមួយនៅកម្ពុជា ហើយប្រាក់នឹងចូលគណនីរបស់អ្នកក្នុងរយៈពេលប៉ុន្មានវិនាទី។
start-linked = គណនី panel របស់អ្នក៖ { $login }។ ចុច «បញ្ចូលទឹកប្រាក់» ដើម្បីបញ្ចូលប្រាក់។
start-not-linked = ជាដំបូង សូមភ្ជាប់គណនី panel របស់អ្នក ដើម្បីឱ្យខ្ញុំដឹងថាត្រូវបញ្ចូលប្រាក់ទៅណា។
start-link-linked = ✅ គណនី panel របស់អ្នក { $login } បានភ្ជាប់រួចហើយ។ សូមជ្រើសរើសចំនួនទឹកប្រាក់ដែលចង់បញ្ចូល៖
start-link-not-found = ខ្ញុំរកមិនឃើញ «{ $login }» នៅលើ panel ទេ ដូច្នេះមិនបានភ្ជាប់អ្វីទេ។ សូមផ្ញើ /link ហើយវាយឈ្មោះអ្នកប្រើរបស់អ្នក។
language-choose = សូមជ្រើសរើសភាសា៖
language-changed = រួចរាល់ ខ្ញុំនឹងនិយាយភាសាខ្មែរ។ តើអ្នកចង់ធ្វើអ្វី?
help =
    របៀបបញ្ចូលទឹកប្រាក់៖
    ១. ភ្ជាប់គណនី panel របស់អ្នកដោយប្រើ /link (តែម្តងគត់)។
    ២. ចុច «បញ្ចូលទឹកប្រាក់» ឬផ្ញើ /topup រួចជ្រើសរើសចំនួនទឹកប្រាក់ (ពី { $min } ដល់ { $max })។
    ៣. ស្កេន KHQR ដោយកម្មវិធីធនាគាររបស់អ្នក (ABA, ACLEDA, Wing និងផ្សេងៗទៀត) ហើយបង់មុនពេលផុតកំណត់។
    ៤. សមតុល្យរបស់អ្នកនឹងកើនឡើងក្នុងរយៈពេលប៉ុន្មានវិនាទី ហើយខ្ញុំនឹងផ្ញើបង្កាន់ដៃជូនអ្នក។

    /balance៖ សមតុល្យ · /history៖ ប្រវត្តិ · /cancel៖ បោះបង់ · /language៖ English

## Linking the panel account

link-ask = សូមផ្ញើឈ្មោះអ្នកប្រើ (login) របស់អ្នកនៅលើ panel មកខ្ញុំ។
link-invalid = នេះមិនដូចជាឈ្មោះអ្នកប្រើទេ។ សូមផ្ញើវាជាពាក្យតែមួយ ដោយគ្មានដកឃ្លា។
link-not-found = ខ្ញុំរកមិនឃើញ «{ $login }» នៅលើ panel ទេ។ សូមពិនិត្យអក្ខរាវិរុទ្ធ ហើយផ្ញើម្តងទៀត។
link-panel-unavailable = ពេលនេះ panel មិនឆ្លើយតបទេ ដូច្នេះខ្ញុំមិនអាចពិនិត្យឈ្មោះអ្នកប្រើរបស់អ្នកបានទេ។ សូមព្យាយាមម្តងទៀតនៅពេលក្រោយដោយប្រើ /link។
link-done = ✅ បានភ្ជាប់ជាមួយគណនី panel { $login } រួចរាល់។
link-done-unchecked = ✅ បានភ្ជាប់ជាមួយ { $login }។ panel មិនអាចបញ្ជាក់ឈ្មោះអ្នកប្រើបានទេ ដូច្នេះសូមប្រាកដថាវាត្រឹមត្រូវដូចឈ្មោះចូលប្រើរបស់អ្នក។
link-stopped = យល់ព្រម ខ្ញុំមិនបានប្តូរគណនីរបស់អ្នកទេ។
link-gave-up = ឈប់ត្រឹមនេះសិន។ សូមផ្ញើ /link នៅពេលអ្នកមានឈ្មោះអ្នកប្រើ panel របស់អ្នក។
link-needed = សូមភ្ជាប់គណនី panel របស់អ្នកជាមុនសិន ដើម្បីឱ្យខ្ញុំដឹងថាត្រូវបញ្ចូលប្រាក់ទៅណា។

## Top-up

topup-ask-amount = តើអ្នកចង់បញ្ចូលទឹកប្រាក់ប៉ុន្មាន? សូមជ្រើសរើស ឬវាយបញ្ចូលចំនួនទឹកប្រាក់ (ពី { $min } ដល់ { $max })។
amount-type-it = សូមវាយចំនួនទឹកប្រាក់ជាលេខ ឬជ្រើសរើសប៊ូតុងណាមួយ។
amount-error-format = សូមវាយតែចំនួនទឹកប្រាក់ជាលេខប៉ុណ្ណោះ ឧទាហរណ៍ { $example }។
amount-error-negative = ចំនួនទឹកប្រាក់ត្រូវតែធំជាងសូន្យ។
amount-error-decimals = { $currency ->
    [KHR] ចំនួនប្រាក់រៀលត្រូវតែជាលេខគត់៖ សូមវាយដោយគ្មានខ្ទង់ទសភាគ។
   *[other] សូមប្រើខ្ទង់ទសភាគយ៉ាងច្រើន ២ខ្ទង់ ឧទាហរណ៍ 12.50។
}
amount-error-below-min = ការបញ្ចូលតិចបំផុតគឺ { $min }។ សូមវាយចំនួនច្រើនជាងនេះ។
amount-error-above-max = ការបញ្ចូលច្រើនបំផុតគឺ { $max }។ សូមវាយចំនួនតិចជាងនេះ។
amount-error-range = ចំនួនទឹកប្រាក់ត្រូវតែនៅចន្លោះពី { $min } ដល់ { $max }។
topup-ask-provider = តើអ្នកចង់បង់ប្រាក់តាមវិធីណា?
topup-use-buttons = សូមជ្រើសរើសដោយប្រើប៊ូតុងខាងលើ ឬផ្ញើ /cancel។
topup-stopped = យល់ព្រម មិនបានបង្កើតការបញ្ចូលទឹកប្រាក់ទេ។
topup-gave-up = តោះព្យាយាមម្តងទៀតនៅពេលក្រោយ។ ផ្ញើ /topup នៅពេលអ្នករួចរាល់។
topup-unavailable = ពេលនេះមិនអាចបញ្ចូលទឹកប្រាក់បានទេ។ សូមព្យាយាមម្តងទៀតនៅពេលក្រោយ។
topup-provider-failed = សូមអភ័យទោស សេវាបង់ប្រាក់មិនឆ្លើយតបនៅពេលនេះទេ។ មិនមានការកាត់ប្រាក់ណាមួយឡើយ។ សូមព្យាយាមម្តងទៀតក្នុងរយៈពេលប៉ុន្មាននាទីទៀត។
topup-pending-exists = អ្នកមានការបញ្ចូលទឹកប្រាក់មួយកំពុងរង់ចាំការបង់ប្រាក់រួចហើយ៖ { $amount } លេខយោង { $reference } មានសុពលភាពរហូតដល់ម៉ោង { $expires }។
card-caption =
    បញ្ចូលទឹកប្រាក់ { $amount }
    លេខយោង៖ { $reference }
    ស្កេនដោយកម្មវិធីធនាគាររបស់អ្នក ហើយបង់មុនម៉ោង { $expires } (ម៉ោងភ្នំពេញ)។
    សមតុល្យរបស់អ្នកនឹងត្រូវបញ្ចូលដោយស្វ័យប្រវត្តិក្នុងរយៈពេលប៉ុន្មានវិនាទី។
card-caption-checkout =
    បញ្ចូលទឹកប្រាក់ { $amount }
    លេខយោង៖ { $reference }
    ចុច «បង់ក្នុង ABA Mobile» ហើយបង់មុនម៉ោង { $expires } (ម៉ោងភ្នំពេញ)។
    សមតុល្យរបស់អ្នកនឹងត្រូវបញ្ចូលដោយស្វ័យប្រវត្តិក្នុងរយៈពេលប៉ុន្មានវិនាទី។
card-phone-tap = នៅលើទូរសព្ទនេះ ចុច «បើកក្នុងកម្មវិធីធនាគារ»។ នៅលើឧបករណ៍ផ្សេង សូមស្កេនកូដ QR។
card-phone-gallery = នៅលើទូរសព្ទនេះ៖ រក្សាទុករូបភាព រួចប្រើ «ស្កេនពីរូបភាព» (scan from gallery) ក្នុងកម្មវិធីធនាគារ។
card-retired = កូដ QR នេះលែងមានសុពលភាពហើយ។ សូមកុំបង់តាមកូដនេះ។
topup-not-found = ខ្ញុំរកមិនឃើញការបញ្ចូលទឹកប្រាក់នេះទេ។
topup-not-payable = ការបញ្ចូលទឹកប្រាក់នេះលែងរង់ចាំការបង់ប្រាក់ហើយ។
check-too-soon = ទើបតែពិនិត្យរួច៖ សូមរង់ចាំប៉ុន្មានវិនាទី មុននឹងពិនិត្យម្តងទៀត។
check-failed = ខ្ញុំមិនអាចភ្ជាប់ទៅសេវាបង់ប្រាក់បានទេ។ សូមព្យាយាមម្តងទៀតបន្តិចទៀត។
check-result = { $state ->
    [PENDING] មិនទាន់ទទួលបាននៅឡើយទេ។ បើអ្នកទើបតែបង់ សូមរង់ចាំប៉ុន្មានវិនាទី។
    [PAID] បានទទួលការបង់ប្រាក់ហើយ! កំពុងបញ្ចូលទៅគណនីរបស់អ្នក។
    [CREDITED] បានទទួលការបង់ប្រាក់ និងបានបញ្ចូលរួចរាល់។ ✅
    [HELD] បានទទួលការបង់ប្រាក់ហើយ ក្រុមការងាររបស់យើងកំពុងពិនិត្យមុននឹងបញ្ចូល។
    [EXPIRED] ការបញ្ចូលទឹកប្រាក់នេះបានផុតកំណត់ហើយ។
    [CANCELLED] ការបញ្ចូលទឹកប្រាក់នេះត្រូវបានបោះបង់។
    [REFUNDED] ការបញ្ចូលទឹកប្រាក់នេះត្រូវបានសងប្រាក់វិញ។
   *[other] ស្ថានភាព៖ { $state }
}
topup-cancelled = បានបោះបង់ការបញ្ចូលទឹកប្រាក់ { $amount } (លេខយោង { $reference })។ បើអ្នកបានបង់រួចហើយ កុំបារម្ភ៖ ប្រាក់នឹងនៅតែត្រូវបញ្ចូលទៅគណនីរបស់អ្នក ឬត្រូវបានពិនិត្យដោយក្រុមការងាររបស់យើងជាមុនសិន ប្រសិនបើចំនួនទឹកប្រាក់ដែលបានបង់ខុសពីការបញ្ជាទិញ។
cancel-too-late = មិនអាចបោះបង់ការបញ្ចូលទឹកប្រាក់នេះបានទៀតទេ៖ { $state ->
    [PAID] វាត្រូវបានបង់ហើយ ហើយកំពុងបញ្ចូល។
    [CREDITED] វាត្រូវបានបង់ និងបញ្ចូលរួចហើយ។
    [HELD] វាត្រូវបានបង់ហើយ ហើយក្រុមការងាររបស់យើងកំពុងពិនិត្យ។
    [EXPIRED] វាបានផុតកំណត់ហើយ។
    [CANCELLED] វាត្រូវបានបោះបង់រួចហើយ។
   *[other] ស្ថានភាព { $state }។
}
cancel-left = យល់ព្រម បានឈប់ហើយ។
cancel-nothing = មិនមានអ្វីត្រូវបោះបង់ទេ។

## Notifications

receipt-title = ✅ បញ្ចូលទឹកប្រាក់បានជោគជ័យ!
receipt-title-late = ✅ ការបង់ប្រាក់យឺតត្រូវបានបញ្ចូលហើយ
receipt-body =
    បានបង់៖ { $paid }
    បានបញ្ចូលទៅ { $login }៖ { $credited }
    លេខយោង៖ { $reference }
receipt-balance = សមតុល្យថ្មី៖ { $balance }
receipt-bonus = 🎁 ប្រាក់រង្វាន់បញ្ចូល៖ +{ $bonus } (បញ្ចូលដាច់ដោយឡែក)
card-bonus = 🎁 ប្រាក់រង្វាន់បញ្ចូល៖ +{ $bonus } នឹងបញ្ចូលបន្ទាប់ពីការបញ្ចូលទឹកប្រាក់នេះ។
receipt-late = ការបង់ប្រាក់របស់អ្នកបានមកដល់ក្រោយពេលកូដ QR ផុតកំណត់ ប៉ុន្តែយើងនៅតែបញ្ចូលវាជូនអ្នក។
topup-refunded = ↩️ ប្រាក់ { $amount } នៃការបញ្ចូលទឹកប្រាក់ { $reference } របស់អ្នកត្រូវបានសងវិញហើយ។
topup-held = យើងបានទទួលការបង់ប្រាក់ { $amount } របស់អ្នក (លេខយោង { $reference })។ ក្រុមការងាររបស់យើងត្រូវពិនិត្យវាជាមុនសិន ទើបអាចបញ្ចូលបាន។ អ្នកមិនចាំបាច់បង់ម្តងទៀតទេ។ យើងនឹងផ្ញើសារជូនអ្នកភ្លាមៗនៅពេលរួចរាល់។
topup-expired = ⌛ ការបញ្ចូលទឹកប្រាក់ { $amount } (លេខយោង { $reference }) បានផុតកំណត់ហើយ។ សូមកុំបង់តាមកូដ QR ចាស់។ បើអ្នកបានបង់រួចហើយ កុំបារម្ភ៖ ប្រាក់នឹងនៅតែត្រូវបញ្ចូលទៅគណនីរបស់អ្នក ឬត្រូវបានពិនិត្យដោយក្រុមការងាររបស់យើងជាមុនសិន ប្រសិនបើចំនួនទឹកប្រាក់ដែលបានបង់ខុសពីការបញ្ជាទិញ។

## A shop's test payment (an admin's /start testpayment; issue 23)

testpay-admins-only = មានតែអ្នកគ្រប់គ្រងហាងនេះទេ ដែលអាចធ្វើការបង់ប្រាក់សាកល្បងរបស់វាបាន។
testpay-link-first = 🧪 ការបង់ប្រាក់សាកល្បង { $amount }៖ វានឹងត្រូវបញ្ចូលទៅអ្នកប្រើ panel ផ្ទាល់ខ្លួនរបស់អ្នក។ សូមផ្ញើឈ្មោះអ្នកប្រើរបស់វា (ដូចដែលអ្នកចូលក្នុង panel) មកខ្ញុំ។ បន្ទាប់មកកូដ KHQR នឹងមកដល់។
testpay-intro = 🧪 ការបង់ប្រាក់សាកល្បង៖ { $amount } ទៅអ្នកប្រើ panel { $login } របស់អ្នក (អនុញ្ញាតក្រោមចំនួនអប្បបរមារបស់ហាង សម្រាប់ការសាកល្បងនេះតែប៉ុណ្ណោះ)។ សូមបង់វាដោយកម្មវិធីធនាគាររបស់អ្នក៖ បង្កាន់ដៃ និងរយៈពេលនៃជំហាននីមួយៗនឹងមកដល់ទីនេះ។
testpay-summary =
    🧪 ការបង់ប្រាក់សាកល្បង { $reference } រយៈពេលនៃជំហាននីមួយៗ៖
    • បង្ហាញ KHQR៖ { $shown } បន្ទាប់ពីអ្នកស្នើ
    • បានបង់ និងកត់ត្រា (ហាងកត់ត្រាការបង់ប្រាក់ភ្លាមៗនៅពេលអ្នកផ្តល់សេវាប្រាប់វា)៖ { $paid } ក្រោយមក ជាពេលដែលអ្នកប្រើដើម្បីបង់
    • បានបញ្ចូលក្នុង panel៖ { $credited } ក្រោយមក
    • បានផ្ញើបង្កាន់ដៃ៖ { $receipt } ក្រោយមក
    ពេលវេលារបស់ប្រព័ន្ធ ដោយមិនរាប់ពេលបង់របស់អ្នក៖ { $system }
testpay-verified = ✅ ហាងរបស់អ្នកត្រូវបានផ្ទៀងផ្ទាត់ហើយ៖ វេទិកាបង្ហាញវាដល់ប្រតិបត្តិកររបស់ខ្លួនថាបានផ្ទៀងផ្ទាត់។

## Balance and history

balance-now = សមតុល្យរបស់ { $login }៖ { $balance }
balance-last-known = សមតុល្យរបស់ { $login }៖ { $balance } (ចុងក្រោយដែលដឹង អាចនឹងមិនទាន់សម័យ)។
balance-unknown = ខ្ញុំមិនទាន់ដឹងសមតុល្យរបស់ { $login } នៅឡើយទេ។ វានឹងបង្ហាញក្រោយការបញ្ចូលទឹកប្រាក់លើកដំបូងរបស់អ្នក។
balance-private = សមតុល្យរបស់ { $login } នឹងបង្ហាញនៅទីនេះ ក្រោយការបញ្ចូលទឹកប្រាក់លើកដំបូងរបស់អ្នកទៅគណនីនេះតាមរយៈបូតនេះ។
balance-login-missing = panel លែងស្គាល់គណនី «{ $login }» ទៀតហើយ។ សូមភ្ជាប់គណនីរបស់អ្នកម្តងទៀត។
history-empty = អ្នកមិនទាន់មានការបញ្ចូលទឹកប្រាក់នៅឡើយទេ។
history-title = ការបញ្ចូលទឹកប្រាក់ចុងក្រោយរបស់អ្នក ({ $count })៖
history-line = { $date } · { $amount } · { $status } · { $reference }
status-name = { $status ->
    [PENDING] កំពុងរង់ចាំការបង់ប្រាក់
    [PAID] បានបង់ កំពុងបញ្ចូល
    [CREDITED] បានបញ្ចូលរួច
    [HELD] កំពុងត្រួតពិនិត្យ
    [EXPIRED] ផុតកំណត់
    [CANCELLED] បានបោះបង់
    [REFUNDED] បានសងប្រាក់វិញ
   *[other] { $status }
}

## Fallbacks

unknown-command = ខ្ញុំមិនស្គាល់ពាក្យបញ្ជានោះទេ។ នេះជាអ្វីដែលខ្ញុំអាចធ្វើបាន៖
unhandled = សូមប្រើម៉ឺនុយខាងក្រោម។
error-generic = សូមអភ័យទោស មានបញ្ហាបន្តិចបន្តួច។ សូមព្យាយាមម្តងទៀតបន្តិចទៀត។

## Admin

command-refund = សងប្រាក់ការបញ្ចូលទឹកប្រាក់វិញ
command-report = របាយការណ៍លក់
command-find = ស្វែងរកការបញ្ចូលទឹកប្រាក់ ឬអតិថិជន
command-pending = ការបញ្ចូលដែលកំពុងបើក និងការបញ្ចូលដែលត្រូវបានផ្អាក
command-recredit = បញ្ចូលឥណទានដែលត្រូវបានផ្អាកម្តងទៀត
command-credit = បញ្ចូលទឹកប្រាក់ទៅគណនី panel ដោយដៃ
command-link_for = តំណដែលបើកបូត ដោយភ្ជាប់ login panel រួចស្រេច
admin-help =
    ពាក្យបញ្ជាអ្នកគ្រប់គ្រង៖
    /refund <លេខយោង> [ចំនួន] [មូលហេតុ]
    /report [today|yesterday|7d|30d|YYYY-MM-DD..YYYY-MM-DD]
    /find <លេខយោង | @username | telegram id | login panel>
    /pending
    /recredit <លេខយោង> [មូលហេតុ]
    /credit <login> <ចំនួន> <មូលហេតុ>
    /link_for <login>
admin-failed = ⚠️ បរាជ័យ៖ { $message }
admin-failed-internal = កំហុសខាងក្នុង (ព័ត៌មានលម្អិតមាននៅក្នុង log)
admin-link-for-usage = របៀបប្រើ៖ /link_for <login panel>
admin-link-for =
    តំណសម្រាប់ { $login } (បើកបូត ភ្ជាប់ login ហើយបង្ហាញចំនួនទឹកប្រាក់)៖
    { $link }
    បិទភ្ជាប់វានៅក្នុងទំព័រ «Add funds» របស់ panel ឬផ្ញើទៅអតិថិជន។ វាមិនបង្ហាញអ្វីពីគណនីទេ៖ សមតុល្យបង្ហាញតែក្រោយពេលបញ្ចូលទឹកប្រាក់តាមបូតរួច។
admin-refund-usage = របៀបប្រើ៖ /refund <លេខយោង> [ចំនួន] [មូលហេតុ]
admin-refund-no-reason = គ្មានមូលហេតុ
admin-refund-confirm = ✅ សងប្រាក់វិញ
admin-refund-abort = ✖️ រក្សាទុក
admin-refund-stale = ការបញ្ជាក់នេះផុតកំណត់ហើយ។ សូមដំណើរការ /refund ម្តងទៀត។
admin-refund-aborted = មិនបានសងប្រាក់ { $reference } វិញទេ។
admin-refund-problem = { $reason ->
    [not_found] គ្មានការបញ្ចូលទឹកប្រាក់ដែលមានលេខយោង { $reference } ទេ។
    [not_paid] ការបញ្ចូលទឹកប្រាក់ { $reference } មិនដែលត្រូវបានបង់ទេ៖ គ្មានអ្វីត្រូវសងវិញទេ។
    [nothing_left] ការបញ្ចូលទឹកប្រាក់ { $reference } ត្រូវបានសងវិញពេញលេញរួចហើយ។
    [amount_too_large] ចំនួននោះលើសពីអ្វីដែលនៅសល់សម្រាប់សងវិញលើ { $reference }។
    [invalid_amount] ចំនួននោះមិនអាចសងវិញបានទេ។
    [not_held] ការបង់ប្រាក់នេះមិនអាចសងវិញពីទីនេះបានទេ៖ វាលែងត្រូវបានផ្អាក ឬត្រូវបានបង់ជារូបិយប័ណ្ណផ្សេងពីការកម្ម៉ង់។ សូមសងវិញនៅអ្នកផ្តល់សេវា។ /find { $reference } បង្ហាញវា។
    [credit_in_flight] មិនបានសងវិញទេ៖ ឥណទាន #{ $creditId } នៃ { $reference } { $status ->
        [HELD] ត្រូវបានផ្អាក ដោយមិនដឹងលទ្ធផល (panel ប្រហែលជាបានបញ្ចូលរួច)៖ សូមរក memo «{ $memo }» ក្នុងបញ្ជីការបង់ប្រាក់របស់ panel ជាមុនសិន រួចដោះលែង ឬសងវិញ។
       *[other] កំពុងផ្ញើទៅ panel ឥឡូវនេះ ហើយមិនទាន់ដឹងលទ្ធផលនៅឡើយ។ គ្មានអ្វីផ្លាស់ប្តូរទេ។ សូមព្យាយាមម្តងទៀតក្នុងមួយនាទី ពេល panel ឆ្លើយរួច (/find { $reference } បង្ហាញវា)។
    }
    [changed] មិនបានសងវិញទេ៖ { $reference } បានផ្លាស់ប្តូរតាំងពីផែនការនេះត្រូវបានបង្ហាញ (ការសងប្រាក់មួយទៀតត្រូវបានកត់ត្រា)។ គ្មានអ្វីផ្លាស់ប្តូរទេ។ សូមដំណើរការ /refund ម្តងទៀត ដើម្បីមើលផែនការថ្មី។
    [several_logins] មិនបានសងវិញទេ៖ ឥណទាននៃ { $reference } បានទៅ login ច្រើន។ សូមសងវិញយ៉ាងច្រើន { $most } ឥឡូវនេះ (ដកពី { $login }) រួចសងផ្នែកដែលនៅសល់។
   *[other] មិនបានសងប្រាក់ { $reference } វិញទេ ({ $reason })។
}
admin-refund-plan =
    ផែនការសងប្រាក់វិញសម្រាប់ { $reference } ({ $login })
    អាចសងវិញបាន៖ { $paid }
    សងវិញឥឡូវ៖ { $amount }
    ប្រាក់ត្រឡប់ទៅអតិថិជន៖ { $providerWay ->
        [automatic] តាម API សងប្រាក់របស់ { $provider } (បើវាបដិសេធ ការសងប្រាក់នៅរង់ចាំ រហូតដល់អ្នកសងប្រាក់ដោយដៃ)
       *[manual] ដោយដៃ ({ $provider } គ្មាន API សងប្រាក់)៖ ការសងប្រាក់នៅរង់ចាំ រហូតដល់អ្នកចុច «បានសងប្រាក់ហើយ»
    }
    សមតុល្យ panel៖ { $panelWay ->
        [debit] ដក { $debit } វិញពី { $debitLogin } ជាមុនសិន។ បើ panel បដិសេធ ការសងប្រាក់ឈប់ មុនពេលប្រាក់ណាមួយចេញ
        [not_credited] គ្មានអ្វីត្រូវដកវិញ (មិនដែលបានបញ្ចូល)
       *[manual] ដក { $debit } ពី { $debitLogin } ដោយដៃ
    }
    មូលហេតុ៖ { $reason }
admin-refund-plan-bonus = ប្រាក់រង្វាន់បញ្ចូលដែលត្រូវដកវិញ៖ { $bonus } { $panelWay ->
    [debit] (ជាមួយឥណទាន)
   *[manual] (ដកវាដោយដៃផងដែរ)
}
admin-refund-plan-not-credited = ក្នុងនោះ មិនទាន់បានបញ្ចូលទេ (ឥណទានរបស់វាត្រូវកាត់ គ្មានអ្វីត្រូវដកវិញ)៖ { $amount }
admin-refund-plan-balance = សមតុល្យរបស់ { $login } នៅលើ panel ឥឡូវនេះ៖ { $balance }
admin-refund-superseded = ត្រូវបានជំនួសដោយផែនការ /refund ថ្មីសម្រាប់ { $reference }។
admin-refund-done = ការសងប្រាក់ #{ $id } ចំនួន { $amount } សម្រាប់ { $reference }៖
admin-refund-provider = { $status ->
    [REFUNDED] • អ្នកផ្តល់សេវា៖ បានសងវិញ។
    [UNSUPPORTED] • អ្នកផ្តល់សេវា៖ មិនអាចសងវិញដោយស្វ័យប្រវត្តិបានទេ ({ $message })។ សូមសងប្រាក់ទៅអតិថិជនដោយដៃ។
    [FAILED] • អ្នកផ្តល់សេវា៖ ការសងប្រាក់បរាជ័យ ({ $message })។ សូមសងប្រាក់ដោយដៃ ឬព្យាយាមម្តងទៀត។
    [NOT_SENT] • អ្នកផ្តល់សេវា៖ មិនបានសួរទេ៖ ការសងប្រាក់បានឈប់ ព្រោះ panel មិនបានដកឥណទានវិញ។
   *[MANUAL] • អ្នកផ្តល់សេវា៖ សូមសងប្រាក់ទៅអតិថិជនដោយដៃ។
}
admin-refund-panel = { $status ->
    [DEBITED] • Panel៖ បានដកវិញ { $amount }។
    [MANUAL_REQUIRED] • Panel៖ សូមដក { $amount } ដោយដៃ។
    [FAILED] • Panel៖ panel បដិសេធមិនដក { $amount } វិញ ({ $message })។
    [UNKNOWN] • Panel៖ គ្មានចម្លើយចំពោះការដក { $amount } វិញ ({ $message })។
    [NOT_TAKEN_BACK] • Panel៖ មិនបានដក { $amount } វិញទេ៖ បានសងវិញទោះយ៉ាងណាក៏ដោយ។
   *[NOT_CREDITED] • Panel៖ មិនទាន់បានបញ្ចូលអ្វីទេ។
}
admin-refund-panel-bonus = • ក្នុងនោះ ប្រាក់រង្វាន់បញ្ចូល៖ { $bonus }។
admin-refund-pending = ⏳ ការសងប្រាក់កំពុងរង់ចាំ៖ សូមសង { $amount } ទៅអតិថិជនដោយដៃ រួចចុច «បានសងប្រាក់ហើយ»។ អតិថិជននឹងទទួលដំណឹងពេលនោះ។
admin-refund-stopped = ⛔ ការសងប្រាក់បានឈប់ មុនពេលប្រាក់ណាមួយចេញ។ សូមដកចំនួននោះដោយដៃក្នុង panel (ឬពិនិត្យថាវាត្រូវបានដករួចឬនៅ) រួចចុច «សងវិញទោះយ៉ាងណា»។ រហូតដល់ពេលនោះ គ្មានអ្វីត្រូវបានសងវិញទេ។
admin-refund-anyway = ↩️ សងវិញទោះយ៉ាងណា
admin-refund-confirm-anyway = ✅ បាទ/ចាស សងវិញដោយមិនដកវិញ
admin-refund-ask-anyway = សងប្រាក់ទៅអតិថិជនវិញ ទោះបី panel មិនបានដកឥណទានវិញក៏ដោយ?
admin-refund-not-stopped = ការសងប្រាក់នេះលែងរង់ចាំការសម្រេចចិត្តទៀតហើយ។
admin-refund-still-stopped = ⛔ ការសងប្រាក់ #{ $id } ចំនួន { $amount } សម្រាប់ { $reference } ({ $at }) បានឈប់៖ panel មិនបានដកឥណទានវិញ។ ចុច «សងវិញទោះយ៉ាងណា» នៅពេលវាត្រូវបានដកដោយដៃ។
admin-refund-customer-told = អតិថិជនបានទទួលដំណឹងហើយ។
admin-refund-mark-returned = 💸 បានសងប្រាក់ហើយ
admin-refund-confirm-returned = ✅ បាទ/ចាស បានសងហើយ
admin-refund-ask-returned = សូមបញ្ជាក់ថាប្រាក់បានត្រឡប់ទៅអតិថិជនវិញហើយ។
admin-refund-returned = ✅ បានសងប្រាក់ហើយ៖ { $amount } សម្រាប់ { $reference } បញ្ជាក់ដោយ { $who } នៅម៉ោង { $at }។ អតិថិជនបានទទួលដំណឹងហើយ។
admin-refund-returned-already = ការសងប្រាក់នេះបានបញ្ចប់រួចហើយ។
admin-refund-still-pending = ⏳ ការសងប្រាក់ #{ $id } ចំនួន { $amount } សម្រាប់ { $reference } ({ $at }) នៅតែរង់ចាំ៖ ចុច «បានសងប្រាក់ហើយ» នៅពេលអតិថិជនទទួលបានប្រាក់។
admin-report-usage = របៀបប្រើ៖ /report [today|yesterday|7d|30d|YYYY-MM-DD..YYYY-MM-DD]
admin-report-title = 📊 របាយការណ៍ { $label } ({ $from } → { $to }, { $zone })
admin-report-paid = បានបង់៖ { $count } · { $sum }
admin-report-refunds = សងវិញ៖ { $count } · { $sum }
admin-report-net = សុទ្ធ៖ { $net }
admin-report-bonuses = ប្រាក់រង្វាន់ដែលបានបញ្ចូល៖ { $count } · { $sum }
admin-report-by-provider = បានបង់តាមអ្នកផ្តល់សេវា៖
admin-report-row = • { $provider }៖ { $count } · { $sum }
admin-report-other-currency = • បានបង់ជារូបិយប័ណ្ណផ្សេងទៀត (ផ្អាក មិនរាប់ខាងលើ)៖ { $count } · { $sum }
admin-report-states = ការបញ្ចូលទឹកប្រាក់ដែលបានបង្កើត តាមស្ថានភាព៖
admin-report-state = • { $status }៖ { $count }
admin-report-top = អតិថិជនកំពូល៖
admin-report-customer = { $rank }. { $who } ({ $login })៖ { $count } · { $sum }
admin-report-none = • គ្មាន
admin-report-chart = { $unit ->
    [hour] បានបង់ក្នុងមួយម៉ោង { $label }
   *[day] បានបង់ក្នុងមួយថ្ងៃ { $label }
}
admin-export-progress = 📄 កំពុងនាំចេញ CSV… { $rows } ជួរ រហូតមកដល់ពេលនេះ
admin-export-done = 📄 CSV រួចរាល់៖ { $rows } ជួរ ក្នុង { $files } ឯកសារ
admin-find-usage = របៀបប្រើ៖ /find <លេខយោង | @username | telegram id | login panel>
admin-find-none = រកមិនឃើញអ្វីសម្រាប់ «{ $query }» ទេ។
admin-find-topup =
    🔎 ការបញ្ចូលទឹកប្រាក់ { $reference }៖ { $status }
    { $amount } តាម { $provider } ទៅ { $login }
    អតិថិជន៖ { $who }
admin-find-timeline = លំដាប់ពេលវេលា៖
admin-find-event = { $at } { $event }៖ { $detail }
admin-find-user =
    🔎 អតិថិជន { $who }
    Login panel៖ { $login }
    ភាសា៖ { $language }
    សមតុល្យចុងក្រោយដែលដឹង៖ { $balance }
    តាំងពី៖ { $since }
admin-find-topups = ការបញ្ចូលទឹកប្រាក់ចុងក្រោយ ({ $count })៖
admin-find-topup-line = { $at } { $reference } { $amount } { $status }
admin-find-payments = ការបង់ប្រាក់ ({ $count })៖
admin-find-payment-line = { $at } { $provider } ប្រតិបត្តិការ { $txn } { $amount } { $flag } · ការបញ្ចូល { $reference }
admin-pending-none = គ្មានអ្វីកំពុងរង់ចាំទេ។
admin-pending-open = ⏳ ការបញ្ចូលទឹកប្រាក់ដែលកំពុងបើក ({ $count })៖
admin-pending-open-line = • { $reference } { $amount } { $provider } → { $login } ផុតកំណត់ { $expires }
admin-pending-held = ⏸ ឥណទានដែលត្រូវបានផ្អាក ({ $count })៖
admin-pending-held-line = • #{ $id } { $reference } { $amount } → { $login }៖ { $reason }
admin-pending-more = …និង { $count } ទៀត។
admin-pending-orphans = ❓ ការបង់ប្រាក់ដែលមិនត្រូវនឹងការបញ្ចូលទឹកប្រាក់ណាមួយរបស់យើង ({ $count })៖
admin-pending-orphan-line = • { $provider } ប្រតិបត្តិការ { $txn } { $amount } លេខយោងដែលបានផ្ញើ { $reference } នៅ { $at }៖ /find { $txn }
admin-recredit-usage = របៀបប្រើ៖ /recredit <reference> [មូលហេតុ] — ឥណទានដែលផ្អាកទៅ login ដែលវាត្រូវបានបង់សម្រាប់។ ដើម្បីផ្ញើទៅ login ផ្សេង៖ /recredit <reference> --to <login> <មូលហេតុ>។ បើអ្នកបានរកឃើញ memo របស់វានៅលើ panel ដោយខ្លួនឯង (វាបានចូលហើយ)៖ /recredit <reference> --landed [មូលហេតុ] សម្គាល់ថារួចរាល់ ដោយមិនផ្ញើម្តងទៀត។
admin-recredit-outcome = { $status ->
    [lookup_failed] មិនបានផ្ញើអ្វីទេ៖ មិនអាចអានបញ្ជីការបង់ប្រាក់របស់ panel ដើម្បីពិនិត្យថា { $reference } បានចូលរួចឬនៅ ({ $message })។ សូមព្យាយាមម្តងទៀតពេលក្រោយ។
    [queued] ឥណទាន #{ $id } សម្រាប់ { $reference } ត្រូវបានដាក់ក្នុងជួរម្តងទៀត។ អ្នកនឹងទទួលបានដំណឹងពេលវារួចរាល់។
    [found_on_panel] Panel មានឥណទាន #{ $id } សម្រាប់ { $reference } រួចហើយ។ បានសម្គាល់ថារួចរាល់ មិនផ្ញើម្តងទៀតទេ។
    [already_credited] { $reference } ត្រូវបានបញ្ចូលរួចហើយ។ គ្មានអ្វីត្រូវធ្វើទេ។
    [nothing_held] គ្មានអ្វីត្រូវបានផ្អាកសម្រាប់ { $reference } ទេ។
    [orphan] { $reference } ជាការបង់ប្រាក់ដែលគ្មានការបញ្ចូលទឹកប្រាក់របស់យើង៖ គ្មានអ្វីត្រូវបញ្ចូលម្តងទៀតទេ។ សូមប្រើ /credit <login> <ចំនួន> <មូលហេតុ> ដើម្បីបញ្ចូលទៅ login ត្រឹមត្រូវ។
   *[not_found] គ្មានការបញ្ចូលទឹកប្រាក់ដែលមានលេខយោង { $reference } ទេ។
}
admin-credit-orphan-refused = { $status ->
    [already_settled] ការបង់ប្រាក់ { $txn } ត្រូវបានដោះស្រាយរួចហើយ ដោយឥណទាន #{ $id }៖ គ្មានអ្វីត្រូវបានដាក់ក្នុងជួរទេ។
    [ambiguous_orphan] ការបង់ប្រាក់ច្រើនដែលគ្មានការបញ្ចូលទឹកប្រាក់ ត្រូវនឹង { $txn }៖ គ្មានអ្វីត្រូវបានដាក់ក្នុងជួរទេ។ /find { $txn } បង្ហាញពួកវា។
   *[no_orphan] គ្មានការបង់ប្រាក់ដែលគ្មានការបញ្ចូលទឹកប្រាក់ ត្រូវនឹង { $txn } ទេ៖ គ្មានអ្វីត្រូវបានដាក់ក្នុងជួរទេ។
}
admin-credit-usage = របៀបប្រើ៖ /credit <login> <ចំនួនជា { $currency }> <មូលហេតុ>។ សម្រាប់ការបង់ប្រាក់ដែលមិនត្រូវនឹងការបញ្ចូលទឹកប្រាក់ណាមួយរបស់យើង៖ /credit <login> <ចំនួន> --orphan <txn> <មូលហេតុ> (ដោះស្រាយវា តែម្តង)។
admin-bad-amount = «{ $text }» មិនមែនជាចំនួនដែលខ្ញុំអាចអានបានទេ ដូច្នេះគ្មានអ្វីត្រូវបានធ្វើទេ។ { $currency ->
    [KHR] ចំនួន KHR ជារៀលគត់ សរសេរជាលេខ ឧ. 40000 ឬ 40,000។
   *[other] ចំនួន { $currency } ជាលេខដែលមានទសភាគយ៉ាងច្រើន 2 ខ្ទង់ ឧ. 10 ឬ 10.50។
}
admin-credit-confirm-ask = ⚠️ { $amount } ទៅ { $login } គឺច្រើនជាងការបញ្ចូលទឹកប្រាក់ធំបំផុត ({ $limit })។ នៅតែបញ្ចូលឬ?
    មូលហេតុ៖ { $reason }
admin-credit-confirm = ✅ បញ្ចូល { $amount }
admin-credit-abort = ✖️ បោះបង់
admin-credit-stale = ការបញ្ជាក់នេះផុតកំណត់ហើយ។ សូមដំណើរការ /credit ម្តងទៀត។
admin-credit-aborted = មិនបានបញ្ចូល { $amount } ទៅ { $login } ទេ។
admin-credit-queued = ឥណទានដោយដៃ #{ $id } ត្រូវបានដាក់ក្នុងជួរ៖ { $amount } ទៅ { $login } (memo «{ $memo }»)។
admin-note-payment = 💰 { $amount } តាម { $provider } · លេខយោង { $reference } · { $login } · { $who }{ $payer }
admin-note-payer = អ្នកបង់ { $payer }
admin-note-flagged = ⚠️ ការបង់ប្រាក់ត្រូវបានផ្អាក ({ $flag })៖ បានបង់ { $amount } បានកម្ម៉ង់ { $ordered } តាម { $provider } · លេខយោង { $reference } · { $login } · { $who }។ មូលហេតុ៖ { $reason }។ /pending រួច /recredit { $reference } (បញ្ចូលចំនួនដែលបានបង់) ឬ /refund { $reference }។
admin-note-repeat = 🔁 ការបង់ប្រាក់ម្តងទៀត { $amount } តាម { $provider } លើលេខយោង { $reference } ដែលបានបង់រួចហើយ · { $login } · { $who }{ $payer }។ បានបញ្ចូលដោយស្វ័យប្រវត្តិ (ចុះហត្ថលេខាដោយ { $provider })។
admin-note-orphan = ❓ ការបង់ប្រាក់ { $amount } តាម { $provider } (ប្រតិបត្តិការ { $txn } លេខយោងដែលបានផ្ញើ៖ { $reference }) មិនត្រូវនឹងការបញ្ចូលទឹកប្រាក់ណាមួយរបស់យើងទេ៖ { $reason }។ បានកត់ត្រា មិនបានបញ្ចូលអ្វីទេ។ /find { $txn } រួច /credit ទៅ login ត្រឹមត្រូវ ឬសងវិញនៅ { $provider }។
admin-note-notice = ℹ️ { $provider } បានផ្ញើដំណឹងដែលបានផ្ទៀងផ្ទាត់ ប៉ុន្តែមិនមែនជាការបង់ប្រាក់ (លេខយោង { $reference })៖ { $detail }
admin-digest = 🧾 ការបង់ប្រាក់ { $count } សរុប { $total } ក្នុងរយៈពេល { $minutes } នាទីចុងក្រោយ។ { $held } ត្រូវបានផ្អាកសម្រាប់អ្នកគ្រប់គ្រង៖
admin-digest-held-line = • { $reference } { $amount } តាម { $provider }៖ { $reason }
admin-digest-more = … និង { $count } ទៀត៖ /pending
admin-note-held = ⏸ ឥណទាន #{ $id } ត្រូវបានផ្អាក៖ { $amount } ទៅ { $login } · លេខយោង { $reference } · { $reason }។ សូមពិនិត្យ panel រួច /recredit { $reference }។
admin-note-recredited = ✅ ឥណទានដែលបានដោះលែង #{ $id } រួចរាល់៖ { $amount } ទៅ { $login } · លេខយោង { $reference }។
admin-note-after-refund = ⚠️ ឥណទាន #{ $id } ចំនួន { $amount } ទៅ { $login } បានចូល panel បន្ទាប់ពី { $reference } ត្រូវបានសងវិញ។ មិនបានផ្ញើបង្កាន់ដៃ ឬប្រាក់រង្វាន់ទេ។ បើប្រាក់នេះមិនត្រូវជំពាក់ (ការបង់ប្រាក់ថ្មីដែលវាបង់សម្រាប់ បង្ហាញក្នុង /find { $reference }) សូមដកវាក្នុង panel។
admin-held-credit = ✅ បញ្ចូល
admin-held-refund = ↩️ សងវិញ
admin-held-details = 🔎 ព័ត៌មានលម្អិត
admin-held-confirm-credit = ✅ បញ្ជាក់ការបញ្ចូល
admin-held-confirm-refund = ↩️ បញ្ជាក់ការសងវិញ
admin-held-back = ✖️ ត្រឡប់ក្រោយ
admin-held-ask-credit = ចុច «បញ្ជាក់ការបញ្ចូល» ដើម្បីបញ្ចូលចំនួនដែលបានបង់។
admin-held-ask-refund = ចុច «បញ្ជាក់ការសងវិញ» ដើម្បីសងការបង់ប្រាក់នេះវិញ។
admin-held-nothing-held = គ្មានអ្វីត្រូវបានផ្អាកនៅទីនេះទៀតទេ។
admin-held-in-hand = អ្នកគ្រប់គ្រងម្នាក់ទៀតកំពុងដោះស្រាយរឿងនេះរួចហើយ។
admin-held-admins-only = មានតែអ្នកគ្រប់គ្រងប៉ុណ្ណោះដែលអាចធ្វើបាន។
admin-held-invalid = ប៊ូតុងនេះមិនត្រឹមត្រូវទេ។
admin-held-credited = { $status ->
    [queued] ✅ ឥណទាន #{ $id } ត្រូវបានដោះលែងដោយ { $who } នៅម៉ោង { $at }។ ដំណឹងនឹងមកពេលវាចូល។
    [found_on_panel] ✅ ឥណទាន #{ $id } មាននៅលើ panel រួចហើយ។ សម្គាល់ថារួចរាល់ដោយ { $who } នៅម៉ោង { $at }។
    [already_credited] ឥណទាន #{ $id } ត្រូវបានបញ្ចូលរួចហើយ។
    [lookup_failed] ឥណទាន #{ $id } នៅតែត្រូវបានផ្អាក៖ មិនអាចអានបញ្ជីការបង់ប្រាក់របស់ panel ដើម្បីពិនិត្យថាវាបានចូលរួចឬនៅ។ សូមព្យាយាមម្តងទៀតពេលក្រោយ។
   *[other] គ្មានអ្វីត្រូវបានផ្អាកសម្រាប់ឥណទាន #{ $id } ទៀតទេ។
}
admin-held-refunded = ↩️ ការសងប្រាក់ #{ $id } ចំនួន { $amount } ដោយ { $who } នៅម៉ោង { $at }។
admin-daily-title = 🗓 សេចក្តីសង្ខេបប្រចាំថ្ងៃ
admin-note-outage = { $state ->
    [down] 🔴 { $component } កំពុងមានបញ្ហា៖ { $detail }
   *[up] 🟢 { $component } ដំណើរការវិញហើយ ({ $detail })។
}

## The operators' bot (PLATFORM_BOT_TOKEN): figures per shop, never a secret, a customer or a message.
operator-only = មានតែប្រតិបត្តិករនៃវេទិកាប៉ុណ្ណោះដែលអាចធ្វើវាបាន។
operator-help = ពាក្យបញ្ជា៖ /platform [today|yesterday|7d|30d|YYYY-MM-DD..YYYY-MM-DD] — ចំនួន និងផលបូកនៃហាងនីមួយៗ; ប៊ូតុង អនុម័ត នៅក្រោមហាងថ្មីធ្វើឱ្យវាដំណើរការ។ ដូចអ្នកដទៃ៖ /newshop, /myshop, /pause, /resume, /cancel។
operator-failed = ⚠️ បរាជ័យ៖ កំហុសខាងក្នុង (ព័ត៌មានលម្អិតមាននៅក្នុង log)
operator-platform-usage = របៀបប្រើ៖ /platform [today|yesterday|7d|30d|YYYY-MM-DD..YYYY-MM-DD]
operator-platform-title = 🏪 ហាង { $label } ({ $from } → { $to }, { $zone })
operator-platform-none = • មិនទាន់មានហាងនៅឡើយទេ
operator-platform-row = • { $name } ({ $state }, { $bot })៖ បានបង្កើត { $opened } · បានបង់ { $paid } ({ $paidSums }) · បានបញ្ចូល { $credited } · បានផ្អាក { $held } · សងវិញ { $refunded } ({ $refundedSums }) · ឥណទានកំពុងរង់ចាំ { $pending } · ការបង់ចុងក្រោយ { $last }
operator-platform-total = សរុប ហាង { $shops }៖ បានបង្កើត { $opened } · បានបង់ { $paid } ({ $paidSums }) · បានបញ្ចូល { $credited } · បានផ្អាក { $held } · សងវិញ { $refunded } ({ $refundedSums }) · ឥណទានកំពុងរង់ចាំ { $pending } · ការបង់ចុងក្រោយ { $last }
operator-platform-no-bot = មិនមានបូតដែលបានរក្សាទុក
operator-platform-never = មិនធ្លាប់មាន
operator-state-active = សកម្ម
operator-state-disabled = បានបិទ
operator-state-pending = កំពុងរង់ចាំការអនុម័ត
operator-state-removed = បានលុបចេញ

## Onboarding by chat

onboarding-ask-bot-token =
    ជំហានទី 1៖ បូតរបស់ហាងអ្នក។ បង្កើតវាជាមួយ @BotFather (/newbot) រួចបិទភ្ជាប់ API token របស់វានៅទីនេះ។
    ខ្ញុំនឹងលុបសាររបស់អ្នកភ្លាមៗបន្ទាប់ពីអានរួច។
onboarding-ask-panel-type = ជំហានទី 2៖ panel របស់អ្នកប្រើកម្មវិធី panel មួយណា?
onboarding-ask-panel-url = ជំហានទី 3៖ អាសយដ្ឋាន panel របស់អ្នក ដូចដែលអតិថិជនបើក (ឧទាហរណ៍ https://yourpanel.com)។
onboarding-ask-panel-key =
    ជំហានទី 4៖ API key អ្នកគ្រប់គ្រងនៃ panel របស់អ្នក (មានសិទ្ធិអានអ្នកប្រើ និងបន្ថែមការទូទាត់)។ បិទភ្ជាប់វានៅទីនេះ។
    ខ្ញុំនឹងលុបសាររបស់អ្នកភ្លាមៗបន្ទាប់ពីអានរួច។
onboarding-ask-payment-method = ជំហានទី 5៖ ឈ្មោះវិធីបង់ប្រាក់ដែលការបញ្ចូលទឹកប្រាក់ត្រូវបានបន្ថែមនៅក្នុង panel របស់អ្នក ដោយសរសេរដូចនៅទីនោះទាំងស្រុង។ ផ្ញើ - ដើម្បីប្រើ { $method }។
onboarding-ask-providers = ជំហានទី 6៖ តើអ្នកផ្តល់សេវាទូទាត់មួយណាខ្លះបង់ប្រាក់ឱ្យអ្នក? ចុចមួយ ឬវាយច្រើនដោយបំបែកដោយក្បៀស ({ $choices })។
onboarding-ask-provider-credentials =
    ជំហានទី 7៖ { $provider }។ ផ្ញើព័ត៌មានសម្ងាត់របស់វាក្នុងសារតែមួយ មួយបន្ទាត់មួយ តាមលំដាប់នេះ៖
    { $variables }
    (ឬជាបន្ទាត់ NAME=value រួមទាំងតម្លៃស្រេចចិត្ត)។ ខ្ញុំនឹងលុបសាររបស់អ្នកភ្លាមៗបន្ទាប់ពីអានរួច។
onboarding-ask-admin-chat = ជំហានទី 8៖ ក្រុម Telegram ដែលបូតរបស់អ្នកគួរផ្ញើការជូនដំណឹងអំពីការទូទាត់៖ chat id របស់វា (ដូចជា -1001234567890) ដោយបានបន្ថែមបូតរបស់អ្នកទៅក្នុងក្រុមនោះ។ ផ្ញើ - ដើម្បីទទួលវានៅទីនេះជាឯកជន។
onboarding-ask-shop-name = ជំហានទី 9៖ ឈ្មោះហាងរបស់អ្នក ដូចដែលអតិថិជនឃើញនៅក្នុងកម្មវិធីធនាគាររបស់ពួកគេ (យ៉ាងច្រើន 25 តួអក្សរ)។
onboarding-summary =
    សូមពិនិត្យហាងរបស់អ្នក៖
    { $lines }
    ព័ត៌មានសម្ងាត់ត្រូវបានលាក់។ ដាក់ស្នើវាដើម្បីឱ្យប្រតិបត្តិករអនុម័តឬ?
onboarding-button-submit = ✅ ដាក់ស្នើដើម្បីអនុម័ត
onboarding-button-restart = 🔁 ចាប់ផ្តើមម្តងទៀត
onboarding-secret-hidden = (លាក់)
onboarding-ok-bot = ✅ បានរកឃើញបូតរបស់អ្នក @{ $username }។
onboarding-ok-panel-address = ✅ { $url } គឺជា panel មួយ។
onboarding-ok-panel-key = ✅ panel របស់អ្នកទទួលយក key នេះ។
onboarding-ok-payment-method = ✅ វិធីបង់ប្រាក់៖ { $method }។
onboarding-ok-provider = ✅ { $provider } ទទួលយកព័ត៌មានសម្ងាត់របស់អ្នក។
onboarding-ok-saved = ✅ បានរក្សាទុក។
onboarding-invalid =
    ❌ ចម្លើយនោះមិនត្រឹមត្រូវទេ។ { $fix }
    (ព័ត៌មានលម្អិត៖ { $problems })
    សូមផ្ញើវាម្តងទៀត។
onboarding-fix-bot-token = Token របស់បូតមានរាងដូច 123456789:AAF…៖ សូមចម្លងវាទាំងមូលពី @BotFather ក្នុងសារតែមួយ។
onboarding-fix-panel-url = សូមផ្ញើអាសយដ្ឋានពេញរបស់ផ្ទាំង (panel) អ្នក ដែលចាប់ផ្តើមដោយ https:// (ឧទាហរណ៍ https://yourpanel.com)។
onboarding-fix-panel-key = សូមចម្លង API key របស់អ្នកគ្រប់គ្រងម្តងទៀតពីការកំណត់នៃផ្ទាំងរបស់អ្នក ទាំងមូល និងគ្មានដកឃ្លា។
onboarding-fix-payment-method = សូមផ្ញើឈ្មោះវិធីបង់ប្រាក់ ឲ្យដូចដែលផ្ទាំងរបស់អ្នកសរសេរ ឬផ្ញើ - ដើម្បីរក្សាលំនាំដើម។
onboarding-fix-admin-chat = លេខ chat id របស់ក្រុមគឺជាលេខដូចជា -1001234567890; ផ្ញើ - ដើម្បីទទួលការជូនដំណឹងនៅទីនេះជាឯកជន។
onboarding-fix-shop-name = សូមផ្ញើឈ្មោះហាងដែលមិនលើសពី 25 តួអក្សរ។
onboarding-fix-credentials = សូមចម្លងព័ត៌មានសម្ងាត់របស់អ្នកម្តងទៀតពីផតថលអាជីវករនៃអ្នកផ្តល់សេវា ឲ្យដូចដែលបង្ហាញនៅទីនោះ តាមទម្រង់ដែលបានស្នើខាងលើ។
onboarding-choose = ❌ សូមជ្រើសរើសមួយក្នុងចំណោម៖ { $choices }។
onboarding-bot-in-use = ❌ បូត @{ $username } កំពុងបម្រើហាងមួយផ្សេងទៀតនៅលើវេទិកានេះរួចហើយ។ បង្កើតបូតថ្មីជាមួយ @BotFather (/newbot) ហើយបិទភ្ជាប់ token របស់វា។
onboarding-submitted =
    📨 ហាង "{ $name }" របស់អ្នកត្រូវបានដាក់ស្នើ។ ប្រតិបត្តិករនឹងអនុម័តវាមុនពេលវាដំណើរការ ខ្ញុំនឹងប្រាប់អ្នកនៅទីនេះ។
    ចុះឈ្មោះអាសយដ្ឋាន webhook ទាំងនេះជាមួយអ្នកផ្តល់សេវាទូទាត់របស់អ្នក៖
    { $webhooks }
onboarding-approved = 🎉 ហាង "{ $name }" របស់អ្នកត្រូវបានអនុម័ត ហើយកំពុងដំណើរការ៖ អតិថិជនអាចបើក @{ $username }។
onboarding-expired = ⌛ ការរៀបចំនេះត្រូវបានរំខាន (key របស់វេទិកាបានផ្លាស់ប្តូរ)។ សូមចាប់ផ្តើមម្តងទៀតដោយ /newshop។
onboarding-secret-deleted = 🔒 ខ្ញុំបានលុបសាររបស់អ្នកដែលមានព័ត៌មានសម្ងាត់ចេញពីការជជែកនេះហើយ។
onboarding-secret-delete-yourself = ⚠️ ខ្ញុំមិនអាចលុបសាររបស់អ្នកដែលមានព័ត៌មានសម្ងាត់បានទេ៖ សូមលុបវាដោយខ្លួនឯងឥឡូវនេះ (ចុចសង្កត់លើវា → Delete)។ ខ្ញុំបានទទួលយកតម្លៃនោះរួចហើយ។
onboarding-check-failed = ❌ ការពិនិត្យបានបរាជ័យ៖ { $fix }។ សូមផ្ញើវាម្តងទៀត។
onboarding-check-telegram-unreachable = ❌ វេទិកាមិនអាចភ្ជាប់ទៅ Telegram បានទេនៅពេលនេះ។ សូមផ្ញើ token ម្តងទៀតក្នុងរយៈពេលមួយនាទី។
onboarding-check-bot-token-refused = ❌ Telegram មិនស្គាល់ token នេះទេ។ ចម្លងវាម្តងទៀតពី @BotFather (/mybots → បូតរបស់អ្នក → API Token) ហើយបិទភ្ជាប់វានៅទីនេះ។
onboarding-check-telegram-unavailable = ❌ Telegram មិនបានឆ្លើយតបត្រឹមត្រូវទេ។ សូមផ្ញើ token ម្តងទៀតក្នុងរយៈពេលមួយនាទី។
onboarding-check-panel-unreachable = ❌ គ្មានអ្វីឆ្លើយតបនៅអាសយដ្ឋាននេះទេ។ ពិនិត្យអាសយដ្ឋាន panel របស់អ្នក (វាត្រូវតែបើកនៅលើអ៊ីនធឺណិត) ហើយផ្ញើវាម្តងទៀត។
onboarding-check-panel-not-a-panel = ❌ អាសយដ្ឋាននេះឆ្លើយតប ប៉ុន្តែមិនមែនជា API របស់ panel { $panel } ទេ។ ផ្ញើអាសយដ្ឋានមេនៃ panel របស់អ្នក (ដូចជា https://yourpanel.com) ឬជ្រើសរើសកម្មវិធី panel ត្រឹមត្រូវដោយ /newshop។
onboarding-check-panel-key-refused = ❌ panel របស់អ្នកបដិសេធ key នេះ។ នៅក្នុងផ្នែកអ្នកគ្រប់គ្រងនៃ panel បង្កើត API key ដែលមានសិទ្ធិអានអ្នកប្រើ និងបន្ថែមការទូទាត់ ចម្លងវាឱ្យបានត្រឹមត្រូវ ហើយបិទភ្ជាប់វានៅទីនេះ។
onboarding-check-panel-unavailable = ❌ panel របស់អ្នកបានឆ្លើយតបដោយកំហុស។ សូមប្រាកដថាវាកំពុងដំណើរការ រួចផ្ញើវាម្តងទៀត។
onboarding-check-panel-method-misspelled = ❌ ការទូទាត់ថ្មីៗនៅក្នុង panel របស់អ្នកប្រើ "{ $near }" មិនមែន "{ $method }" ទេ៖ ឈ្មោះត្រូវតែដូចគ្នាទាំងស្រុង។ ផ្ញើ { $near } (ឬឈ្មោះពិតប្រាកដ)។
onboarding-check-panel-method-unseen = ⚠️ គ្មានការទូទាត់ថ្មីៗណាមួយប្រើ "{ $method }" ទេ ហើយ panel មិនអាចរាយបញ្ជីវិធីបង់ប្រាក់របស់វាបានទេ៖ សូមប្រាកដថាមានវិធីបង់ប្រាក់ដែលមានឈ្មោះ "{ $method }" ពិតប្រាកដនៅក្នុងការកំណត់ការទូទាត់នៃ panel របស់អ្នក។
onboarding-check-panel-method-unknown = ⚠️ មិនអាចអានការទូទាត់របស់ panel ដើម្បីស្វែងរក "{ $method }" បានទេ៖ សូមប្រាកដថាមានវិធីបង់ប្រាក់ដែលមានឈ្មោះនោះពិតប្រាកដនៅក្នុង panel របស់អ្នក។
onboarding-check-provider-unreachable = ❌ មិនអាចភ្ជាប់ទៅ { $provider } ដោយការកំណត់ទាំងនេះបានទេ។ ពិនិត្យអាសយដ្ឋានដែលអ្នកបានផ្តល់ (ឬកុំដាក់វា) រួចផ្ញើព័ត៌មានសម្ងាត់ម្តងទៀត។
onboarding-check-provider-credentials-refused = ❌ { $provider } បដិសេធព័ត៌មានសម្ងាត់ទាំងនេះ ({ $variables })។ ចម្លងវាម្តងទៀតពីគណនី { $provider } របស់អ្នក ហើយផ្ញើវាម្តងទៀត។
onboarding-check-provider-failed = ❌ មិនអាចពិនិត្យ { $provider } បាននៅពេលនេះទេ។ សូមផ្ញើព័ត៌មានសម្ងាត់ម្តងទៀត។
onboarding-check-provider-unchecked = ⚠️ មិនអាចពិនិត្យ { $provider } ដោយគ្មានការទូទាត់បានទេ៖ ការទូទាត់សាកល្បងដំបូងរបស់អ្នកនឹងបង្ហាញថាវាដំណើរការ។
onboarding-check-bakong-expired = ❌ Bakong token នេះបានផុតកំណត់នៅថ្ងៃ { $date }។ បន្តវា (renew_token របស់ Bakong ជាមួយអ៊ីមែលដែលបានចុះឈ្មោះ) ហើយផ្ញើ token ថ្មី។
onboarding-check-bakong-expires-soon = ❌ Bakong token នេះនឹងផុតកំណត់នៅថ្ងៃ { $date } ក្នុងរយៈពេល { $days } ថ្ងៃទៀត៖ ការទូទាត់នឹងឈប់នៅពេលនោះ។ បន្តវាឥឡូវនេះ (renew_token របស់ Bakong ជាមួយអ៊ីមែលដែលបានចុះឈ្មោះ) ហើយផ្ញើ token ថ្មី។
onboarding-check-bakong-outside-cambodia = ❌ Bakong បដិសេធការហៅពីក្រៅប្រទេសកម្ពុជា ហើយវេទិកានេះដំណើរការនៅក្រៅប្រទេស៖ សូមជ្រើសរើសអ្នកផ្តល់សេវាផ្សេង។
onboarding-check-bakong-account-unknown = ❌ Bakong ទទួលយក token ប៉ុន្តែមិនស្គាល់គណនី { $account } ទេ។ ចម្លង account id របស់អ្នក (name@bank) ដូចដែលកម្មវិធីធនាគាររបស់អ្នកបង្ហាញ ហើយផ្ញើព័ត៌មានសម្ងាត់ម្តងទៀត។
onboarding-check-payway-invalid = ❌ មិនអាចបង្កើត KHQR ត្រឹមត្រូវពីតម្លៃ ABA PayWay ទាំងនេះបានទេ។ ចម្លងវាម្តងទៀតពីអ្វីដែល ABA បានផ្តល់ឱ្យអ្នក ហើយផ្ញើវាម្តងទៀត។

## The operators' bot for merchants: /newshop, /myshop, /pause, /resume; operators approve. Never a secret.
operator-merchant-help = នេះជាបូតរបស់វេទិកា៖ /newshop ដើម្បីបើកហាង; /myshop, /pause, /resume សម្រាប់ហាងរបស់អ្នក; /cancel បញ្ឈប់ការរៀបចំ។
operator-newshop-cancelled = បានបោះបង់ការរៀបចំ៖ គ្មានអ្វីត្រូវបានរក្សាទុកទេ។ ផ្ញើ /newshop ដើម្បីចាប់ផ្តើមម្តងទៀត។
operator-newshop-nothing = គ្មានការរៀបចំដែលត្រូវបោះបង់ទេ។ ផ្ញើ /newshop ដើម្បីបើកហាង។
operator-newshop-stale = ប៊ូតុងនោះជារបស់សំណួរមុន៖ សូមឆ្លើយសំណួរចុងក្រោយ។
operator-approve-request =
    🆕 ហាង "{ $name }" កំពុងរង់ចាំការអនុម័ត។
    បូត៖ @{ $bot }
    Panel៖ { $panel } នៅ { $url }
    អ្នកផ្តល់សេវា៖ { $providers }
    ឈ្មួញ៖ អ្នកប្រើ Telegram { $merchant }
operator-approve-button = ✅ អនុម័ត
operator-approve-done = ✅ ហាង "{ $name }" ត្រូវបានអនុម័ត និងដំណើរការហើយ; ឈ្មួញរបស់វាត្រូវបានជូនដំណឹង។
operator-approve-already = ហាង "{ $name }" ត្រូវបានអនុម័តរួចហើយ (ឬលែងរង់ចាំការអនុម័ត)។
operator-approve-webhook-failed = ⚠️ Telegram បានបដិសេធ webhook នៃបូតរបស់វា៖ { $error }
operator-approved-webhooks =
    ចុះឈ្មោះអាសយដ្ឋាន webhook ទាំងនេះជាមួយអ្នកផ្តល់សេវាទូទាត់របស់អ្នក (ប្រសិនបើអ្នកមិនទាន់បានធ្វើ)៖
    { $webhooks }
    /myshop បង្ហាញស្ថានភាពហាងរបស់អ្នក ចំនួនថ្ងៃនេះ និងការត្រួតពិនិត្យរបស់វា។
operator-myshop-none = អ្នកមិនមានហាងនៅលើវេទិកានេះទេ។ ផ្ញើ /newshop ដើម្បីបើកមួយ។
operator-myshop-which = អ្នកមានហាងច្រើន៖ សូមបន្ថែមឈ្មោះហាងទៅពាក្យបញ្ជា ({ $names })។
operator-myshop-title = 🏪 ហាងរបស់អ្នក "{ $name }"៖ { $state }
operator-myshop-checks = ការត្រួតពិនិត្យ៖
operator-myshop-pending = ហាង "{ $name }" នៅតែរង់ចាំការអនុម័តពីប្រតិបត្តិករ៖ មិនអាចផ្អាក ឬបើកវិញបានទេមុនពេលនោះ។
operator-myshop-paused = ⏸ ហាង "{ $name }" ត្រូវបានផ្អាក៖ បូតរបស់វាលែងទទួលការបង់ប្រាក់ហើយ។ /resume ដើម្បីបើកវាម្តងទៀត។
operator-myshop-resumed = ▶️ ហាង "{ $name }" បានបើកម្តងទៀតហើយ។
operator-state-unverified = មិនទាន់ផ្ទៀងផ្ទាត់
operator-myshop-verified = ✅ បានផ្ទៀងផ្ទាត់៖ ការបង់ប្រាក់សាកល្បង { $reference } បានបញ្ចូល ហើយបង្កាន់ដៃរបស់វាបានផ្ញើនៅ { $at }។
operator-myshop-unverified = ⚠️ មិនទាន់ផ្ទៀងផ្ទាត់៖ មិនទាន់មានការបង់ប្រាក់សាកល្បងណាមួយជោគជ័យនៅឡើយទេ។
operator-testpay-button = 🧪 ធ្វើការបង់ប្រាក់សាកល្បង
operator-testpay-howto =
    ដើម្បីផ្ទៀងផ្ទាត់ហាងរបស់អ្នក សូមធ្វើការបង់ប្រាក់សាកល្បង { $amount } ពីគណនី Telegram នេះ តាមរយៈបូតផ្ទាល់ខ្លួនរបស់អ្នក @{ $bot }៖
    1. ចុច "🧪 ធ្វើការបង់ប្រាក់សាកល្បង" ខាងក្រោម៖ វាបើក @{ $bot }។ ចុច Start នៅទីនោះ។
    2. @{ $bot } សួររកឈ្មោះអ្នកប្រើ panel ផ្ទាល់ខ្លួនរបស់អ្នក (អ្នកប្រើរបស់អ្នកនៅលើ { $panel })៖ សូមផ្ញើវា។ ប្រាក់ { $amount } នឹងត្រូវបញ្ចូលទៅវា។
    3. បង់កូដ KHQR ដោយកម្មវិធីធនាគាររបស់អ្នក។ បង្កាន់ដៃ និងរយៈពេលនៃជំហាននីមួយៗនឹងមកដល់ក្នុង @{ $bot } ហើយហាងរបស់អ្នកនឹងបង្ហាញថាបានផ្ទៀងផ្ទាត់។
operator-testpay-howto-linked =
    ដើម្បីផ្ទៀងផ្ទាត់ហាងរបស់អ្នក សូមធ្វើការបង់ប្រាក់សាកល្បង { $amount } ពីគណនី Telegram នេះ តាមរយៈបូតផ្ទាល់ខ្លួនរបស់អ្នក @{ $bot }៖
    1. ចុច "🧪 ធ្វើការបង់ប្រាក់សាកល្បង" ខាងក្រោម៖ វាបើក @{ $bot }។ ចុច Start នៅទីនោះ។
    2. វានឹងត្រូវបញ្ចូលទៅអ្នកប្រើ panel { $login } របស់អ្នក (បានភ្ជាប់ក្នុង @{ $bot }; ផ្ញើ /link នៅទីនោះជាមុនសិន ដើម្បីប្រើអ្នកប្រើផ្សេង)។
    3. បង់កូដ KHQR ដោយកម្មវិធីធនាគាររបស់អ្នក។ បង្កាន់ដៃ និងរយៈពេលនៃជំហាននីមួយៗនឹងមកដល់ក្នុង @{ $bot } ហើយហាងរបស់អ្នកនឹងបង្ហាញថាបានផ្ទៀងផ្ទាត់។
