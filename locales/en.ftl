# Customer and admin texts. km.ftl has the same keys.

## Menu and buttons

menu-topup = 💳 Top up
menu-balance = 💰 Balance
menu-history = 🧾 History
menu-link = 🔗 Link account
menu-help = ❓ Help
menu-language = 🌐 ភាសា / Language
button-new-topup = 💳 New top-up
button-link = 🔗 Link my account
button-cancel = ✖️ Cancel
button-pay-aba = 💳 Pay in ABA Mobile
button-open-bank-app = 📱 Open in bank app
button-check = ✅ I have paid — check
button-cancel-topup = ✖️ Cancel this top-up
button-show-again = 🔁 Show it again
button-expired = This button is no longer active.
language-button-km = 🇰🇭 ភាសាខ្មែរ
language-button-en = 🇬🇧 English
provider-bakong = 🏦 KHQR · Bakong
provider-raksmeypay = 🏦 KHQR · RaksmeyPay
provider-kess = 🏦 KHQR · KESS Pay
provider-payway = 🏦 KHQR · ABA PayWay
provider-ahnajak = 💳 ABA Pay

## Commands (the menu next to the message box)

command-topup = Top up your panel balance
command-balance = Show your panel balance
command-history = Your last top-ups
command-link = Link or change your panel account
command-language = ភាសា / Language
command-help = How it works
command-cancel = Cancel what is in progress

## Start, language, help

start-greeting = Hello { $name }! 👋
    I top up your panel balance with KHQR: pay from any Cambodian bank app and the money reaches your account within seconds.
start-linked = Your panel account: { $login }. Tap “Top up” to add funds.
start-not-linked = First, link your panel account so I know where to put the money.
start-link-linked = ✅ Your panel account { $login } is linked. Choose an amount to add:
start-link-not-found = I could not find “{ $login }” on the panel, so nothing was linked. Send /link and type your username.
language-choose = Choose your language:
language-changed = Done, I will speak English. What would you like to do?
help =
    How to top up:
    1. Link your panel account with /link (once).
    2. Tap “Top up” or send /topup and choose an amount ({ $min } to { $max }).
    3. Scan the KHQR with your bank app (ABA, ACLEDA, Wing and others) and pay before it expires.
    4. Your balance goes up within seconds and I send you a receipt.

    /balance: your balance · /history: your last top-ups · /cancel: stop what is in progress · /language: ភាសាខ្មែរ

## Linking the panel account

link-ask = Please send me your username (login) on the panel.
link-invalid = That does not look like a username. Please send it as one word, without spaces.
link-not-found = I could not find “{ $login }” on the panel. Please check the spelling and send it again.
link-panel-unavailable = The panel is not answering right now, so I cannot check your username. Please try again later with /link.
link-done = ✅ Linked to the panel account { $login }.
link-done-unchecked = ✅ Linked to { $login }. The panel cannot confirm usernames, so please make sure it is exactly your login.
link-stopped = OK, I did not change your account.
link-gave-up = Let's stop here. Send /link when you have your panel username.
link-needed = Please link your panel account first, so I know where to credit the money.

## Top-up

topup-ask-amount = How much would you like to top up? Choose an amount or type it ({ $min } to { $max }).
amount-type-it = Please type the amount as a number, or choose one of the buttons.
amount-error-format = Please type only the amount in numbers, for example { $example }.
amount-error-negative = The amount must be more than zero.
amount-error-decimals = { $currency ->
    [KHR] Riel amounts are whole numbers: please type it without decimals.
   *[other] Please use at most 2 decimals, for example 12.50.
}
amount-error-below-min = The smallest top-up is { $min }. Please type a larger amount.
amount-error-above-max = The largest top-up is { $max }. Please type a smaller amount.
amount-error-range = The amount must be from { $min } to { $max }.
topup-ask-provider = How would you like to pay?
topup-use-buttons = Please choose with the buttons above, or send /cancel.
topup-stopped = OK, no top-up was created.
topup-gave-up = Let's try again later. Send /topup when you are ready.
topup-unavailable = Top-ups are not available right now. Please try again later.
topup-provider-failed = Sorry, the payment service is not responding right now. No money was taken. Please try again in a few minutes.
topup-pending-exists = You already have a top-up waiting for payment: { $amount }, reference { $reference }, valid until { $expires }.
card-caption =
    Top-up { $amount }
    Reference: { $reference }
    Scan with your bank app and pay before { $expires } (Phnom Penh time).
    Your balance is credited automatically within seconds.
card-caption-checkout =
    Top-up { $amount }
    Reference: { $reference }
    Tap “Pay in ABA Mobile” and pay before { $expires } (Phnom Penh time).
    Your balance is credited automatically within seconds.
card-phone-tap = On this phone, tap “Open in bank app”; on another device, scan the QR code.
card-phone-gallery = On this phone: save the picture, then use “scan from gallery” in your bank app.
card-retired = This QR code is no longer valid. Please do not pay it.
topup-not-found = I cannot find this top-up.
topup-not-payable = This top-up is no longer waiting for payment.
check-too-soon = Just checked: please wait a few seconds before checking again.
check-failed = I could not reach the payment service. Please try again in a moment.
check-result = { $state ->
    [PENDING] Not received yet. If you have just paid, give it a few seconds.
    [PAID] Payment received! Crediting your account now.
    [CREDITED] Payment received and credited. ✅
    [HELD] Payment received; our team is checking it before crediting.
    [EXPIRED] This top-up has expired.
    [CANCELLED] This top-up was cancelled.
    [REFUNDED] This top-up was refunded.
   *[other] Status: { $state }
}
topup-cancelled = Top-up { $amount } (reference { $reference }) cancelled. If you had already paid it, don't worry: it will still be credited, or first checked by our team if the amount paid differs from the order.
cancel-too-late = This top-up can no longer be cancelled: { $state ->
    [PAID] it has been paid and is being credited.
    [CREDITED] it has been paid and credited.
    [HELD] it has been paid and is being checked by our team.
    [EXPIRED] it has expired.
    [CANCELLED] it is already cancelled.
   *[other] it is { $state }.
}
cancel-left = OK, stopped.
cancel-nothing = There is nothing to cancel.

## Notifications

receipt-title = ✅ Top-up successful!
receipt-title-late = ✅ Late payment credited
receipt-body =
    Paid: { $paid }
    Credited to { $login }: { $credited }
    Reference: { $reference }
receipt-balance = New balance: { $balance }
receipt-bonus = 🎁 Deposit bonus: +{ $bonus } (credited separately)
card-bonus = 🎁 Deposit bonus: +{ $bonus }, credited after this top-up.
receipt-late = Your payment arrived after the QR code had expired; we credited it anyway.
topup-refunded = ↩️ { $amount } of your top-up { $reference } has been refunded.
topup-held = We received your payment of { $amount } (reference { $reference }). Our team needs to check it before it is credited; you don't need to pay again. We will message you as soon as it is done.
topup-expired = ⌛ The top-up of { $amount } (reference { $reference }) has expired. Please don't pay the old QR code. If you already paid it, don't worry: it will still be credited, or first checked by our team if the amount paid differs from the order.

## A shop's test payment (an admin's /start testpayment; issue 23)

testpay-admins-only = Only this shop's admins can make its test payment.
testpay-link-first = 🧪 Test payment of { $amount }: it is credited to your own panel user. Send me its username (as you log in on the panel); the KHQR code follows.
testpay-intro = 🧪 Test payment: { $amount } to your panel user { $login } (allowed below the shop's minimum for this test only). Pay it with your banking app: the receipt and each step's time follow here.
testpay-summary =
    🧪 Test payment { $reference }, each step's time:
    • KHQR shown: { $shown } after you asked
    • paid and recorded (the shop records a payment the moment its provider tells it): { $paid } later, your time to pay
    • credited on the panel: { $credited } later
    • receipt sent: { $receipt } later
    System time, your paying left out: { $system }
testpay-verified = ✅ Your shop is verified: the platform shows it to its operators as such.

## Balance and history

balance-now = Balance of { $login }: { $balance }
balance-last-known = Balance of { $login }: { $balance } (last known, it may be out of date).
balance-unknown = I don't know the balance of { $login } yet. It will show after your first top-up.
balance-private = The balance of { $login } will be shown here after your first top-up to it through this bot.
balance-login-missing = The panel no longer knows the account “{ $login }”. Please link your account again.
history-empty = You have no top-ups yet.
history-title = Your last { $count } top-ups:
history-line = { $date } · { $amount } · { $status } · { $reference }
status-name = { $status ->
    [PENDING] waiting for payment
    [PAID] paid, crediting
    [CREDITED] credited
    [HELD] being checked
    [EXPIRED] expired
    [CANCELLED] cancelled
    [REFUNDED] refunded
   *[other] { $status }
}

## Fallbacks

unknown-command = I don't know that command. Here is what I can do:
unhandled = Please use the menu below.
error-generic = Sorry, something went wrong. Please try again in a moment.

## Admin (in the admin's language, like the customers')

command-refund = Refund a top-up
command-report = Sales report
command-find = Find a top-up or customer
command-pending = Open top-ups and held credits
command-recredit = Retry a held credit
command-credit = Credit a panel account by hand
command-link_for = A link that opens the bot with a panel login linked
admin-help =
    Admin commands:
    /refund <reference> [amount] [reason]
    /report [today|yesterday|7d|30d|YYYY-MM-DD..YYYY-MM-DD]
    /find <reference | @username | telegram id | panel login>
    /pending
    /recredit <reference> [reason]
    /credit <login> <amount> <reason>
    /link_for <login>
admin-failed = ⚠️ Failed: { $message }
admin-failed-internal = an internal error (details are in the log)
admin-link-for-usage = Usage: /link_for <panel login>
admin-link-for =
    Link for { $login } (opens the bot, links the login, offers the amounts):
    { $link }
    Paste it into the panel's "Add funds" page or send it to the customer. It shows nothing of the account: the balance appears only after a top-up paid through the bot.
admin-refund-usage = Usage: /refund <reference> [amount] [reason]
admin-refund-no-reason = no reason given
admin-refund-confirm = ✅ Refund
admin-refund-abort = ✖️ Keep
admin-refund-stale = This confirmation has expired. Run /refund again.
admin-refund-aborted = Refund of { $reference } not done.
admin-refund-problem = { $reason ->
    [not_found] No top-up with reference { $reference }.
    [not_paid] Top-up { $reference } was never paid: nothing to refund.
    [nothing_left] Top-up { $reference } is already fully refunded.
    [amount_too_large] That is more than is left to refund on { $reference }.
    [invalid_amount] That amount cannot be refunded.
    [not_held] This payment cannot be refunded from here: it is no longer held, or it was paid in another currency than the order. Refund it at the provider; /find { $reference } shows it.
    [credit_in_flight] Not refunded: credit #{ $creditId } of { $reference } is { $status ->
        [HELD] held with an unknown outcome (the panel may have applied it): look for memo “{ $memo }” in the panel's payments first, then release or refund it.
       *[other] being sent to the panel right now, and its outcome is not known yet. Nothing changed; try again in a minute, once the panel has answered (/find { $reference } shows it).
    }
    [changed] Not refunded: { $reference } changed since this plan was shown (another refund was recorded). Nothing changed; run /refund again to see the new plan.
    [several_logins] Not refunded: the credits of { $reference } went to several logins. Refund at most { $most } now (taken from { $login }), then the rest.
   *[other] Refund of { $reference } not done ({ $reason }).
}
admin-refund-plan =
    Refund plan for { $reference } ({ $login })
    Refundable: { $paid }
    Refund now: { $amount }
    Money back to the customer: { $providerWay ->
        [automatic] through { $provider }'s refund API (if it declines, the refund stays pending until you return the money by hand)
       *[manual] by hand ({ $provider } has no refund API): the refund stays pending until you press “Money returned”
    }
    Panel balance: { $panelWay ->
        [debit] { $debit } taken back from { $debitLogin } first; if the panel refuses, the refund stops before any money leaves
        [not_credited] nothing to take back (never credited)
       *[manual] deduct { $debit } from { $debitLogin } by hand
    }
    Reason: { $reason }
admin-refund-plan-bonus = Deposit bonus taken back: { $bonus } { $panelWay ->
    [debit] (with the credit)
   *[manual] (deduct it by hand too)
}
admin-refund-plan-balance = Balance of { $login } on the panel now: { $balance }
admin-refund-plan-not-credited = Of that, never credited (its credit is cut, nothing to take back): { $amount }
admin-refund-superseded = Replaced by a newer /refund plan for { $reference }.
admin-refund-done = Refund #{ $id } of { $amount } for { $reference }:
admin-refund-provider = { $status ->
    [REFUNDED] • Provider: refunded.
    [UNSUPPORTED] • Provider: cannot refund automatically ({ $message }). Return the money to the customer by hand.
    [FAILED] • Provider: refund FAILED ({ $message }). Return the money by hand or try again.
    [NOT_SENT] • Provider: not asked: the refund stopped because the panel did not take the credit back.
   *[MANUAL] • Provider: return the money to the customer by hand.
}
admin-refund-panel = { $status ->
    [DEBITED] • Panel: { $amount } taken back.
    [MANUAL_REQUIRED] • Panel: deduct { $amount } by hand.
    [FAILED] • Panel: the panel refused to take { $amount } back ({ $message }).
    [UNKNOWN] • Panel: no answer to taking { $amount } back ({ $message }).
    [NOT_TAKEN_BACK] • Panel: { $amount } NOT taken back: refunded anyway.
   *[NOT_CREDITED] • Panel: nothing had been credited.
}
admin-refund-panel-bonus = • Of that, deposit bonus: { $bonus }.
admin-refund-pending = ⏳ Refund pending: return { $amount } to the customer by hand, then press “Money returned”. The customer is told then.
admin-refund-stopped = ⛔ Refund stopped before any money left. Deduct the amount by hand in the panel (or check whether it was deducted), then press “Refund anyway”; until then nothing is refunded.
admin-refund-anyway = ↩️ Refund anyway
admin-refund-confirm-anyway = ✅ Yes, refund without taking it back
admin-refund-ask-anyway = Refund the customer although the panel did not take the credit back?
admin-refund-not-stopped = This refund is not waiting for a decision any more.
admin-refund-still-stopped = ⛔ Refund #{ $id } of { $amount } for { $reference } ({ $at }) stopped: the panel did not take the credit back. Press “Refund anyway” once it is deducted by hand.
admin-refund-customer-told = The customer has been told.
admin-refund-mark-returned = 💸 Money returned
admin-refund-confirm-returned = ✅ Yes, it is returned
admin-refund-ask-returned = Confirm that the money is back with the customer.
admin-refund-returned = ✅ Money returned: { $amount } for { $reference }, confirmed by { $who } at { $at }. The customer has been told.
admin-refund-returned-already = This refund is already done.
admin-refund-still-pending = ⏳ Refund #{ $id } of { $amount } for { $reference } ({ $at }) is still pending: press “Money returned” once the customer has it.
admin-report-usage = Usage: /report [today|yesterday|7d|30d|YYYY-MM-DD..YYYY-MM-DD]
admin-report-title = 📊 Report { $label } ({ $from } → { $to }, { $zone })
admin-report-paid = Paid: { $count } · { $sum }
admin-report-refunds = Refunds: { $count } · { $sum }
admin-report-net = Net: { $net }
admin-report-bonuses = Bonuses credited: { $count } · { $sum }
admin-report-by-provider = Paid by provider:
admin-report-row = • { $provider }: { $count } · { $sum }
admin-report-other-currency = • also paid in another currency (held, not counted above): { $count } · { $sum }
admin-report-states = Top-ups created, by state:
admin-report-state = • { $status }: { $count }
admin-report-top = Top customers:
admin-report-customer = { $rank }. { $who } ({ $login }): { $count } · { $sum }
admin-report-none = • none
admin-report-chart = { $unit ->
    [hour] Paid per hour, { $label }
   *[day] Paid per day, { $label }
}
admin-export-progress = 📄 Exporting the CSV… { $rows } rows so far
admin-export-done = 📄 CSV ready: { $rows } rows in { $files ->
    [one] one file
   *[other] { $files } files
}
admin-find-usage = Usage: /find <reference | @username | telegram id | panel login>
admin-find-none = Nothing found for “{ $query }”.
admin-find-topup =
    🔎 Top-up { $reference }: { $status }
    { $amount } via { $provider } to { $login }
    Customer: { $who }
admin-find-timeline = Timeline:
admin-find-event = { $at } { $event }: { $detail }
admin-find-user =
    🔎 Customer { $who }
    Panel login: { $login }
    Language: { $language }
    Last known balance: { $balance }
    Since: { $since }
admin-find-topups = Last top-ups ({ $count }):
admin-find-topup-line = { $at } { $reference } { $amount } { $status }
admin-find-payments = Payments ({ $count }):
admin-find-payment-line = { $at } { $provider } txn { $txn } { $amount } { $flag } · top-up { $reference }
admin-pending-none = Nothing pending.
admin-pending-open = ⏳ Open top-ups ({ $count }):
admin-pending-open-line = • { $reference } { $amount } { $provider } → { $login }, expires { $expires }
admin-pending-held = ⏸ Held credits ({ $count }):
admin-pending-held-line = • #{ $id } { $reference } { $amount } → { $login }: { $reason }
admin-pending-more = …and { $count } more.
admin-pending-orphans = ❓ Payments matching none of our top-ups ({ $count }):
admin-pending-orphan-line = • { $provider } txn { $txn } { $amount }, reference sent { $reference }, at { $at }: /find { $txn }
admin-recredit-usage = Usage: /recredit <reference> [reason] — the held credit goes to the login it was paid for. To send it to another login: /recredit <reference> --to <login> <reason>. If you found its memo on the panel yourself (it did land): /recredit <reference> --landed [reason] marks it done without sending it again.
admin-recredit-outcome = { $status ->
    [lookup_failed] Nothing sent: the panel's payment list could not be read to check whether { $reference } already landed ({ $message }). Try again later.
    [queued] Credit #{ $id } for { $reference } queued again. You will get a note when it is done.
    [found_on_panel] The panel already has credit #{ $id } for { $reference }; marked done, nothing sent again.
    [already_credited] { $reference } is already credited; nothing to do.
    [nothing_held] Nothing is held for { $reference }.
    [orphan] { $reference } is a payment without a top-up of ours: nothing to re-credit. Use /credit <login> <amount> <reason> to credit it to the right login.
   *[not_found] No top-up with reference { $reference }.
}
admin-credit-orphan-refused = { $status ->
    [already_settled] Payment { $txn } was already settled by credit #{ $id }: nothing queued.
    [ambiguous_orphan] Several payments without a top-up match { $txn }: nothing queued. /find { $txn } lists them.
   *[no_orphan] No payment without a top-up matches { $txn }: nothing queued.
}
admin-credit-usage = Usage: /credit <login> <amount in { $currency }> <reason>. For a payment that matches none of our top-ups: /credit <login> <amount> --orphan <txn> <reason> (settles it, once).
admin-bad-amount = “{ $text }” is not an amount I can read, so nothing was done. { $currency ->
    [KHR] KHR amounts are whole riel in digits, e.g. 40000 or 40,000.
   *[other] { $currency } amounts are digits with at most 2 decimals, e.g. 10 or 10.50.
}
admin-credit-confirm-ask = ⚠️ { $amount } to { $login } is more than the largest top-up ({ $limit }). Credit it anyway?
    Reason: { $reason }
admin-credit-confirm = ✅ Credit { $amount }
admin-credit-abort = ✖️ Cancel
admin-credit-stale = This confirmation has expired. Run /credit again.
admin-credit-aborted = Credit of { $amount } to { $login } not done.
admin-credit-queued = Manual credit #{ $id } queued: { $amount } to { $login } (memo “{ $memo }”).
admin-note-payment = 💰 { $amount } via { $provider } · ref { $reference } · { $login } · { $who }{ $payer }
admin-note-payer = payer { $payer }
admin-note-flagged = ⚠️ Payment HELD ({ $flag }): paid { $amount }, ordered { $ordered } via { $provider } · ref { $reference } · { $login } · { $who }. Why: { $reason }. /pending, then /recredit { $reference } (credits what was paid) or /refund { $reference }.
admin-note-repeat = 🔁 Repeat payment { $amount } via { $provider } on ref { $reference }, already paid before · { $login } · { $who }{ $payer }. Credited automatically (signed by { $provider }).
admin-note-orphan = ❓ Payment { $amount } via { $provider } (txn { $txn }, reference sent: { $reference }) matches none of our top-ups: { $reason }. Recorded, nothing credited. /find { $txn }, then /credit the right login or refund it at { $provider }.
admin-note-notice = ℹ️ { $provider } sent a verified notification that is not a payment (ref { $reference }): { $detail }
admin-digest = 🧾 { $count } payments, { $total } in the last { $minutes } min; { $held } held for an admin:
admin-digest-held-line = • { $reference } { $amount } via { $provider }: { $reason }
admin-digest-more = … and { $count } more: /pending
admin-note-held = ⏸ Credit #{ $id } held: { $amount } to { $login } · ref { $reference } · { $reason }. Check the panel, then /recredit { $reference }.
admin-note-recredited = ✅ Released credit #{ $id } is done: { $amount } to { $login } · ref { $reference }.
admin-note-after-refund = ⚠️ Credit #{ $id } of { $amount } to { $login } landed on the panel after { $reference } was refunded. No receipt and no bonus were sent. If this money is not owed (a new payment it pays for shows in /find { $reference }), deduct it in the panel.
admin-held-credit = ✅ Credit
admin-held-refund = ↩️ Refund
admin-held-details = 🔎 Details
admin-held-confirm-credit = ✅ Confirm credit
admin-held-confirm-refund = ↩️ Confirm refund
admin-held-back = ✖️ Back
admin-held-ask-credit = Press “Confirm credit” to credit what was paid.
admin-held-ask-refund = Press “Confirm refund” to refund this payment.
admin-held-nothing-held = Nothing is held here any more.
admin-held-in-hand = Another admin is already handling this.
admin-held-admins-only = Only admins can do this.
admin-held-invalid = This button is not valid.
admin-held-credited = { $status ->
    [queued] ✅ Credit #{ $id } released by { $who } at { $at }; a note follows when it lands.
    [found_on_panel] ✅ Credit #{ $id } was already on the panel; marked done by { $who } at { $at }.
    [already_credited] Credit #{ $id } was already credited.
    [lookup_failed] Credit #{ $id } is still held: the panel's payment list could not be read to check whether it already landed. Try again later.
   *[other] Nothing is held for credit #{ $id } any more.
}
admin-held-refunded = ↩️ Refund #{ $id } of { $amount } by { $who } at { $at }.
admin-daily-title = 🗓 Daily summary
admin-note-outage = { $state ->
    [down] 🔴 { $component } is failing: { $detail }
   *[up] 🟢 { $component } works again ({ $detail }).
}

## The operators' bot (PLATFORM_BOT_TOKEN): figures per shop, never a secret, a customer or a message.
operator-only = Only the platform's operators can do this.
operator-help = Commands: /platform [today|yesterday|7d|30d|YYYY-MM-DD..YYYY-MM-DD] — each shop's counts and sums; the Approve button under a new shop puts it live. Like anyone: /newshop, /myshop, /pause, /resume, /cancel.
operator-failed = ⚠️ Failed: an internal error (details are in the log)
operator-platform-usage = Usage: /platform [today|yesterday|7d|30d|YYYY-MM-DD..YYYY-MM-DD]
operator-platform-title = 🏪 Shops { $label } ({ $from } → { $to }, { $zone })
operator-platform-none = • no shops yet
operator-platform-row = • { $name } ({ $state }, { $bot }): { $opened } opened · paid { $paid } ({ $paidSums }) · { $credited } credited · { $held } held · refunded { $refunded } ({ $refundedSums }) · { $pending } credits pending · last payment { $last }
operator-platform-total = Total, { $shops } shops: { $opened } opened · paid { $paid } ({ $paidSums }) · { $credited } credited · { $held } held · refunded { $refunded } ({ $refundedSums }) · { $pending } credits pending · last payment { $last }
operator-platform-no-bot = no stored bot
operator-platform-never = never
operator-state-active = active
operator-state-disabled = disabled
operator-state-pending = awaiting approval
operator-state-removed = removed

## Onboarding by chat (the operator's platform bot: /newshop). Never a secret in a text.

onboarding-ask-bot-token =
    Step 1: your shop's bot. Create one with @BotFather (/newbot), then paste its API token here.
    I delete your message as soon as I have read it.
onboarding-ask-panel-type = Step 2: which panel software does your panel run?
onboarding-ask-panel-url = Step 3: your panel's address, as customers open it (for example https://yourpanel.com).
onboarding-ask-panel-key =
    Step 4: your panel's admin API key (allowed to read users and add payments). Paste it here.
    I delete your message as soon as I have read it.
onboarding-ask-payment-method = Step 5: the name of the payment method top-ups are added under in your panel, exactly as it is spelled there. Send - to use { $method }.
onboarding-ask-providers = Step 6: which payment providers pay you? Press one, or type several separated by commas ({ $choices }).
onboarding-ask-provider-credentials =
    Step 7: { $provider }. Send its credentials in one message, one per line, in this order:
    { $variables }
    (or as NAME=value lines; optional ones too). I delete your message as soon as I have read it.
onboarding-ask-admin-chat = Step 8: the Telegram group where your bot should post payment alerts: its chat id (like -1001234567890), with your bot added to it. Send - to get them here in private.
onboarding-ask-shop-name = Step 9: your shop's name, as customers see it in their bank app (at most 25 characters).
onboarding-summary =
    Please check your shop:
    { $lines }
    Secrets are hidden. Submit it for the operator's approval?
onboarding-button-submit = ✅ Submit for approval
onboarding-button-restart = 🔁 Start again
onboarding-secret-hidden = (hidden)
onboarding-ok-bot = ✅ Found your bot @{ $username }.
onboarding-ok-panel-address = ✅ { $url } is a panel.
onboarding-ok-panel-key = ✅ Your panel accepts the key.
onboarding-ok-payment-method = ✅ Payment method: { $method }.
onboarding-ok-provider = ✅ { $provider } accepts your credentials.
onboarding-ok-saved = ✅ Saved.
onboarding-invalid =
    ❌ That answer is not right. { $fix }
    (Details: { $problems })
    Please send it again.
onboarding-fix-bot-token = A bot token looks like 123456789:AAF…: copy it whole from @BotFather, in one message.
onboarding-fix-panel-url = Send your panel's full address, starting with https:// (for example https://yourpanel.com).
onboarding-fix-panel-key = Copy the admin API key again from your panel's settings, whole and without spaces.
onboarding-fix-payment-method = Send the payment method's name exactly as your panel spells it, or - to keep the default.
onboarding-fix-admin-chat = A group's chat id is a number like -1001234567890; send - to get the alerts here in private.
onboarding-fix-shop-name = Send a shop name of at most 25 characters.
onboarding-fix-credentials = Copy your credentials again from your provider's merchant portal, exactly as shown there, in the format asked above.
onboarding-choose = ❌ Please choose one of: { $choices }.
onboarding-bot-in-use = ❌ The bot @{ $username } already serves another shop on this platform. Create a new bot with @BotFather (/newbot) and paste its token.
onboarding-submitted =
    📨 Your shop "{ $name }" is submitted. An operator approves it before it goes live; I will tell you here.
    Register these webhook addresses with your payment providers:
    { $webhooks }
onboarding-approved = 🎉 Your shop "{ $name }" is approved and live: customers can open @{ $username }.
onboarding-expired = ⌛ This setup was interrupted (the platform's keys changed). Please start again with /newshop.
onboarding-secret-deleted = 🔒 I deleted your message with the secret from this chat.
onboarding-secret-delete-yourself = ⚠️ I could not delete your message with the secret: please delete it yourself now (long-press it → Delete). I have taken the value all the same.
onboarding-check-failed = ❌ The check failed: { $fix }. Please send it again.
onboarding-check-telegram-unreachable = ❌ Telegram cannot be reached from the platform right now. Please send the token again in a minute.
onboarding-check-bot-token-refused = ❌ Telegram does not know this token. Copy it again from @BotFather (/mybots → your bot → API Token) and paste it here.
onboarding-check-telegram-unavailable = ❌ Telegram did not answer properly. Please send the token again in a minute.
onboarding-check-panel-unreachable = ❌ Nothing answers at this address. Check the address of your panel (it must be open on the internet) and send it again.
onboarding-check-panel-not-a-panel = ❌ This address answers, but not as a { $panel } panel's API. Send your panel's main address (like https://yourpanel.com), or choose the right panel software with /newshop.
onboarding-check-panel-key-refused = ❌ Your panel refuses this key. In the panel's admin area create an API key allowed to read users and add payments, copy it exactly and paste it here.
onboarding-check-panel-unavailable = ❌ Your panel answered with an error. Make sure it is up, then send it again.
onboarding-check-panel-method-misspelled = ❌ Your panel's recent payments use "{ $near }", not "{ $method }": names must match exactly. Send { $near } (or the exact name).
onboarding-check-panel-method-unseen = ⚠️ No recent payment uses "{ $method }", and the panel cannot list its methods: make sure a payment method named exactly "{ $method }" exists in your panel's payment settings.
onboarding-check-panel-method-unknown = ⚠️ The panel's payments could not be read to look for "{ $method }": make sure a payment method with exactly that name exists in your panel.
onboarding-check-provider-unreachable = ❌ { $provider } cannot be reached with these settings. Check the address you gave (or leave it out), then send the credentials again.
onboarding-check-provider-credentials-refused = ❌ { $provider } refuses these credentials ({ $variables }). Copy them again from your { $provider } account and send them again.
onboarding-check-provider-failed = ❌ { $provider } could not be checked just now. Please send the credentials again.
onboarding-check-provider-unchecked = ⚠️ { $provider } cannot be checked without a payment: your first test payment will show it works.
onboarding-check-bakong-expired = ❌ This Bakong token expired on { $date }. Renew it (Bakong's renew_token, with your registered e-mail) and send the new one.
onboarding-check-bakong-expires-soon = ❌ This Bakong token expires on { $date }, in { $days } day(s): payments would stop then. Renew it now (Bakong's renew_token, with your registered e-mail) and send the new one.
onboarding-check-bakong-outside-cambodia = ❌ Bakong refuses calls from outside Cambodia, and this platform runs outside it: choose another provider.
onboarding-check-bakong-account-unknown = ❌ Bakong accepts the token but does not know the account { $account }. Copy your account id (name@bank) exactly as your bank app shows it and send the credentials again.
onboarding-check-payway-invalid = ❌ No valid KHQR can be made from these ABA PayWay values. Copy them again from what ABA gave you and send them again.

## The operators' bot for merchants: /newshop, /myshop, /pause, /resume; operators approve. Never a secret.
operator-merchant-help = This is the platform's bot: /newshop to open a shop; /myshop, /pause, /resume for your shop; /cancel stops a setup.
operator-newshop-cancelled = Setup cancelled: nothing was stored. Send /newshop to start again.
operator-newshop-nothing = There is no setup to cancel. Send /newshop to open a shop.
operator-newshop-stale = That button belongs to an earlier question: answer the latest one.
operator-approve-request =
    🆕 Shop "{ $name }" awaits approval.
    Bot: @{ $bot }
    Panel: { $panel } at { $url }
    Providers: { $providers }
    Merchant: Telegram user { $merchant }
operator-approve-button = ✅ Approve
operator-approve-done = ✅ Shop "{ $name }" is approved and live; its merchant is told.
operator-approve-already = Shop "{ $name }" is already approved (or no longer awaits approval).
operator-approve-webhook-failed = ⚠️ Telegram refused its bot's webhook: { $error }
operator-approved-webhooks =
    Register these webhook addresses with your payment providers (if you did not yet):
    { $webhooks }
    /myshop shows your shop's state, today's counts and its checks.
operator-myshop-none = You have no shop on this platform. Send /newshop to open one.
operator-myshop-which = You have several shops: add its name to the command ({ $names }).
operator-myshop-title = 🏪 Your shop "{ $name }": { $state }
operator-myshop-checks = Checks:
operator-myshop-pending = Shop "{ $name }" still awaits an operator's approval: it cannot be paused or resumed before.
operator-myshop-paused = ⏸ Shop "{ $name }" is paused: its bot no longer takes payments. /resume to open it again.
operator-myshop-resumed = ▶️ Shop "{ $name }" is open again.
operator-state-unverified = not yet verified
operator-myshop-verified = ✅ Verified: test payment { $reference } credited, its receipt sent { $at }.
operator-myshop-unverified = ⚠️ Not yet verified: no test payment has succeeded yet.
operator-testpay-button = 🧪 Make a test payment
operator-testpay-howto =
    To verify your shop, make a test payment of { $amount } from this Telegram account through your own bot @{ $bot }:
    1. Press "🧪 Make a test payment" below: it opens @{ $bot }; press Start there.
    2. @{ $bot } asks for your own panel username (your user on { $panel }): send it. The { $amount } is credited to it.
    3. Pay the KHQR code with your banking app. The receipt and each step's time follow in @{ $bot }, and your shop shows as verified.
operator-testpay-howto-linked =
    To verify your shop, make a test payment of { $amount } from this Telegram account through your own bot @{ $bot }:
    1. Press "🧪 Make a test payment" below: it opens @{ $bot }; press Start there.
    2. It is credited to your panel user { $login } (linked in @{ $bot }; send /link there first for another one).
    3. Pay the KHQR code with your banking app. The receipt and each step's time follow in @{ $bot }, and your shop shows as verified.
