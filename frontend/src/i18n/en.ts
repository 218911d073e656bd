/**
 * English messages: the reference dictionary. Every other language must have exactly these
 * keys (TypeScript checks it through `Messages`, and i18n.test.ts checks it at run time).
 * `{name}` marks a value filled in at run time.
 */
export const en = {
  'app.name': 'Halcyon',
  'app.skipToContent': 'Skip to main content',
  'app.loadingPage': 'Loading page…',
  'app.language': 'Language',
  'app.nav': 'Main',
  'app.nav.home': 'Home',
  'app.nav.signIn': 'Sign in',
  'app.nav.account': 'Account',
  'app.footer.mailbox': 'Local mailbox (development)',
  'app.footer.emergency':
    'If you are in crisis or thinking about harming yourself, call or text 988, or call 911.',

  'language.en': 'English',
  'language.es': 'Español',

  'state.loading': 'Loading…',
  'state.retry': 'Try again',
  'state.error': 'Something went wrong.',

  'errors.network': 'We could not reach the server. Check your connection and try again.',
  'errors.server': 'The server had a problem. Please try again in a moment.',
  'errors.retryAfter': 'Too many attempts. Please wait {seconds} seconds and try again.',
  'errors.formTitle': 'Please check the form',
  'errors.passwordsDiffer': 'The two passwords are not the same.',
  'errors.missingToken': 'This link is incomplete. Open the link from your e-mail again.',

  'form.email': 'E-mail',
  'form.password': 'Password',
  'form.newPassword': 'New password',
  'form.confirmPassword': 'Confirm new password',
  'form.currentPassword': 'Current password',
  'form.passwordHint': 'At least 10 characters.',
  'form.code': 'Six-digit code',
  'form.codeHint': 'Open your authenticator app and enter the code it shows now.',
  'form.working': 'Please wait…',

  'home.title': 'Welcome',
  'home.lead':
    'Ketamine therapy and interventional psychiatry, with licensed psychiatrists, by secure video from home.',
  'home.cta': 'Request a free consult',
  'home.ctaHint':
    'Create an account and tell us a little about yourself. It takes about five minutes.',
  'home.haveAccount': 'Already have an account?',
  'home.signIn': 'Sign in',
  'home.practiceError': 'We could not load the practice details.',
  'home.crisisTitle': 'Need help right now?',

  'signUp.title': 'Request a free consult',
  'signUp.intro':
    'Create your patient account. We will send you an e-mail to confirm your address.',
  'signUp.fullName': 'Full name',
  'signUp.dateOfBirth': 'Date of birth',
  'signUp.state': 'State where you live',
  'signUp.statePlaceholder': 'Choose a state',
  'signUp.timeZone': 'Time zone',
  'signUp.language': 'Preferred language',
  'signUp.submit': 'Create account',
  'signUp.sentTitle': 'Check your e-mail',
  'signUp.sent':
    'We sent a message to {email}. Open the link in it to confirm your address, then sign in.',
  'signUp.haveAccount': 'Already have an account? Sign in',

  'verify.title': 'Confirm your e-mail',
  'verify.working': 'Confirming your e-mail address…',
  'verify.done': 'Your e-mail address is confirmed.',
  'verify.continue': 'Continue to sign in',
  'verify.failed': 'We could not confirm your e-mail address.',

  'signIn.title': 'Sign in',
  'signIn.submit': 'Sign in',
  'signIn.forgot': 'Forgot your password?',
  'signIn.noAccount': 'New here? Request a free consult',
  'signIn.or': 'or',
  'signIn.oidc': 'Sign in with {provider}',
  'signIn.mfaTitle': 'Two-factor sign-in',
  'signIn.mfaIntro': 'Enter the code from your authenticator app to finish signing in.',
  'signIn.mfaSubmit': 'Verify',
  'signIn.mfaBack': 'Use a different account',
  'signIn.resend': 'Send the confirmation e-mail again',
  'signIn.sso.noAccount':
    'No account uses that e-mail yet. Request a free consult to sign up, then use single sign-on.',
  'signIn.sso.unverified':
    'Your identity provider has not confirmed that e-mail address. Confirm it there, or sign in with your password.',
  'signIn.sso.mfa': 'Staff accounts sign in with their password and authenticator code.',
  'signIn.sso.failed': 'Single sign-on did not finish. Try again, or sign in with your password.',
  'signIn.sso.completing': 'Finishing sign-in…',
  'signIn.resent': 'If {email} has an account waiting for confirmation, a new link is on its way.',

  'mfa.title': 'Set up two-factor sign-in',
  'mfa.intro':
    'Scan this QR code with an authenticator app (such as Google Authenticator, Microsoft Authenticator or 1Password), then enter the code it shows.',
  'mfa.qrLabel': 'QR code for your authenticator app',
  'mfa.secret': 'Cannot scan? Enter this key in the app instead:',
  'mfa.submit': 'Turn on two-factor sign-in',
  'mfa.done': 'Two-factor sign-in is on.',
  'mfa.preparing': 'Preparing your setup key…',
  'mfa.signInAgain': 'Two-factor sign-in is on. Please sign in again.',

  'forgot.title': 'Reset your password',
  'forgot.intro': 'Enter the e-mail address of your account and we will send you a link.',
  'forgot.submit': 'Send reset link',
  'forgot.sent':
    'If an account uses {email}, a link to reset its password is on its way. The link expires soon, so use it today.',
  'forgot.back': 'Back to sign in',

  'reset.title': 'Choose a new password',
  'reset.submit': 'Save new password',
  'reset.done': 'Your password has been changed and your other sessions are signed out.',
  'reset.signIn': 'Sign in',

  'invite.title': 'Accept your invitation',
  'invite.checking': 'Checking your invitation…',
  'invite.for': 'This invitation is for {name} ({email}) to join as {role}.',
  'invite.expires': 'It expires {date}.',
  'invite.intro': 'Choose a password to finish. You will then set up two-factor sign-in.',
  'invite.submit': 'Create my account',
  'invite.done': 'Your account is ready. Sign in to set up two-factor sign-in.',
  'invite.signIn': 'Sign in',
  'invite.invalid': 'This invitation cannot be used.',

  'role.patient': 'patient',
  'role.psychiatrist': 'psychiatrist',
  'role.admin': 'administrator',

  'account.title': 'Your account',
  'account.profile': 'Profile',
  'account.name': 'Name',
  'account.email': 'E-mail',
  'account.role': 'Role',
  'account.emailVerified': 'Confirmed',
  'account.emailUnverified': 'Not confirmed yet: open the link we sent you.',
  'account.mfa': 'Two-factor sign-in',
  'account.mfaOn': 'On',
  'account.mfaOff': 'Off',
  'account.mfaSetUp': 'Set up two-factor sign-in',
  'account.mfaRequired':
    'Your role requires two-factor sign-in before you can see patient records.',
  'account.sessions': 'Where you are signed in',
  'account.sessionsEmpty': 'No active sessions.',
  'account.sessionCurrent': 'This device',
  'account.sessionStarted': 'Signed in {date}',
  'account.sessionLastSeen': 'Last active {date}',
  'account.sessionUnknownDevice': 'Unknown device',
  'account.sessionDevice': '{browser} on {os}',
  'account.sessionRevoke': 'Sign out',
  'account.sessionRevokeLabel': 'Sign out the session on {device}',
  'account.revokeOthers': 'Sign out all other sessions',
  'account.revokedOthers': '{count} other sessions signed out.',
  'account.changePassword': 'Change password',
  'account.changePasswordSubmit': 'Change password',
  'account.passwordChanged': 'Your password has been changed.',
  'account.signOut': 'Sign out',

  'mailbox.title': 'Local mailbox',
  'mailbox.intro':
    'Development only: e-mail the app sends is caught here instead of going out. Newest first.',
  'mailbox.refresh': 'Refresh',
  'mailbox.empty': 'No messages yet. Sign up or ask for a password reset to see one here.',
  'mailbox.to': 'To',
  'mailbox.received': 'Received',
  'mailbox.select': 'Choose a message to read it.',
  'mailbox.back': 'All messages',
  'mailbox.off': 'The local mailbox is off on this server.',

  'notFound.title': 'Page not found',
  'notFound.body': 'There is nothing at this address.',
  'notFound.home': 'Go to the home page',
};

export type MessageKey = keyof typeof en;
export type Messages = Record<MessageKey, string>;
