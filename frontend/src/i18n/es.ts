import type { Messages } from './en';

/** Spanish messages: exactly the keys of `en` (the `Messages` type enforces it). */
export const es: Messages = {
  'app.name': 'Halcyon',
  'app.skipToContent': 'Saltar al contenido principal',
  'app.loadingPage': 'Cargando la página…',
  'app.language': 'Idioma',
  'app.nav': 'Principal',
  'app.nav.home': 'Inicio',
  'app.nav.signIn': 'Iniciar sesión',
  'app.nav.account': 'Mi cuenta',
  'app.footer.mailbox': 'Buzón local (desarrollo)',
  'app.footer.emergency':
    'Si está en crisis o piensa en hacerse daño, llame o envíe un mensaje de texto al 988, o llame al 911.',

  'language.en': 'English',
  'language.es': 'Español',

  'state.loading': 'Cargando…',
  'state.retry': 'Intentar de nuevo',
  'state.error': 'Algo salió mal.',

  'errors.network': 'No pudimos conectar con el servidor. Revise su conexión e inténtelo de nuevo.',
  'errors.server': 'El servidor tuvo un problema. Inténtelo de nuevo en un momento.',
  'errors.retryAfter': 'Demasiados intentos. Espere {seconds} segundos e inténtelo de nuevo.',
  'errors.formTitle': 'Revise el formulario',
  'errors.passwordsDiffer': 'Las dos contraseñas no son iguales.',
  'errors.missingToken': 'Este enlace está incompleto. Abra de nuevo el enlace de su correo.',

  'form.email': 'Correo electrónico',
  'form.password': 'Contraseña',
  'form.newPassword': 'Contraseña nueva',
  'form.confirmPassword': 'Confirme la contraseña nueva',
  'form.currentPassword': 'Contraseña actual',
  'form.passwordHint': 'Al menos 10 caracteres.',
  'form.code': 'Código de seis dígitos',
  'form.codeHint': 'Abra su aplicación de autenticación e introduzca el código que muestra ahora.',
  'form.working': 'Espere, por favor…',

  'home.title': 'Bienvenido',
  'home.lead':
    'Terapia con ketamina y psiquiatría intervencionista, con psiquiatras con licencia, por video seguro desde casa.',
  'home.cta': 'Solicite una consulta gratuita',
  'home.ctaHint': 'Cree una cuenta y cuéntenos un poco sobre usted. Toma unos cinco minutos.',
  'home.haveAccount': '¿Ya tiene una cuenta?',
  'home.signIn': 'Iniciar sesión',
  'home.practiceError': 'No pudimos cargar los datos de la consulta.',
  'home.crisisTitle': '¿Necesita ayuda ahora mismo?',

  'signUp.title': 'Solicite una consulta gratuita',
  'signUp.intro':
    'Cree su cuenta de paciente. Le enviaremos un correo para confirmar su dirección.',
  'signUp.fullName': 'Nombre completo',
  'signUp.dateOfBirth': 'Fecha de nacimiento',
  'signUp.state': 'Estado donde vive',
  'signUp.statePlaceholder': 'Elija un estado',
  'signUp.timeZone': 'Zona horaria',
  'signUp.language': 'Idioma preferido',
  'signUp.submit': 'Crear cuenta',
  'signUp.sentTitle': 'Revise su correo',
  'signUp.sent':
    'Enviamos un mensaje a {email}. Abra el enlace que contiene para confirmar su dirección y luego inicie sesión.',
  'signUp.haveAccount': '¿Ya tiene una cuenta? Inicie sesión',

  'verify.title': 'Confirme su correo',
  'verify.working': 'Confirmando su dirección de correo…',
  'verify.done': 'Su dirección de correo está confirmada.',
  'verify.continue': 'Continuar para iniciar sesión',
  'verify.failed': 'No pudimos confirmar su dirección de correo.',

  'signIn.title': 'Iniciar sesión',
  'signIn.submit': 'Iniciar sesión',
  'signIn.forgot': '¿Olvidó su contraseña?',
  'signIn.noAccount': '¿Es nuevo? Solicite una consulta gratuita',
  'signIn.or': 'o',
  'signIn.oidc': 'Iniciar sesión con {provider}',
  'signIn.mfaTitle': 'Verificación en dos pasos',
  'signIn.mfaIntro':
    'Introduzca el código de su aplicación de autenticación para terminar de iniciar sesión.',
  'signIn.mfaSubmit': 'Verificar',
  'signIn.mfaBack': 'Usar otra cuenta',
  'signIn.resend': 'Enviar de nuevo el correo de confirmación',
  'signIn.sso.noAccount':
    'Ninguna cuenta usa ese correo todavía. Solicite una consulta gratuita para registrarse y luego use el inicio de sesión único.',
  'signIn.sso.unverified':
    'Su proveedor de identidad no ha confirmado ese correo. Confírmelo allí o inicie sesión con su contraseña.',
  'signIn.sso.mfa':
    'Las cuentas del personal inician sesión con su contraseña y el código de su aplicación de autenticación.',
  'signIn.sso.failed':
    'El inicio de sesión único no terminó. Inténtelo de nuevo o inicie sesión con su contraseña.',
  'signIn.sso.completing': 'Terminando el inicio de sesión…',
  'signIn.resent':
    'Si {email} tiene una cuenta pendiente de confirmar, le llegará un enlace nuevo.',

  'mfa.title': 'Configure la verificación en dos pasos',
  'mfa.intro':
    'Escanee este código QR con una aplicación de autenticación (como Google Authenticator, Microsoft Authenticator o 1Password) e introduzca el código que muestra.',
  'mfa.qrLabel': 'Código QR para su aplicación de autenticación',
  'mfa.secret': '¿No puede escanearlo? Introduzca esta clave en la aplicación:',
  'mfa.submit': 'Activar la verificación en dos pasos',
  'mfa.done': 'La verificación en dos pasos está activada.',
  'mfa.preparing': 'Preparando su clave…',
  'mfa.signInAgain': 'La verificación en dos pasos está activada. Inicie sesión de nuevo.',

  'forgot.title': 'Restablezca su contraseña',
  'forgot.intro': 'Introduzca el correo de su cuenta y le enviaremos un enlace.',
  'forgot.submit': 'Enviar enlace',
  'forgot.sent':
    'Si alguna cuenta usa {email}, le llegará un enlace para restablecer la contraseña. El enlace caduca pronto: úselo hoy.',
  'forgot.back': 'Volver a iniciar sesión',

  'reset.title': 'Elija una contraseña nueva',
  'reset.submit': 'Guardar la contraseña nueva',
  'reset.done': 'Su contraseña cambió y se cerraron sus otras sesiones.',
  'reset.signIn': 'Iniciar sesión',

  'invite.title': 'Acepte su invitación',
  'invite.checking': 'Comprobando su invitación…',
  'invite.for': 'Esta invitación es para {name} ({email}) como {role}.',
  'invite.expires': 'Caduca el {date}.',
  'invite.intro':
    'Elija una contraseña para terminar. Después configurará la verificación en dos pasos.',
  'invite.submit': 'Crear mi cuenta',
  'invite.done':
    'Su cuenta está lista. Inicie sesión para configurar la verificación en dos pasos.',
  'invite.signIn': 'Iniciar sesión',
  'invite.invalid': 'Esta invitación no se puede usar.',

  'role.patient': 'paciente',
  'role.psychiatrist': 'psiquiatra',
  'role.admin': 'administrador',

  'account.title': 'Su cuenta',
  'account.profile': 'Perfil',
  'account.name': 'Nombre',
  'account.email': 'Correo electrónico',
  'account.role': 'Función',
  'account.emailVerified': 'Confirmado',
  'account.emailUnverified': 'Aún sin confirmar: abra el enlace que le enviamos.',
  'account.mfa': 'Verificación en dos pasos',
  'account.mfaOn': 'Activada',
  'account.mfaOff': 'Desactivada',
  'account.mfaSetUp': 'Configurar la verificación en dos pasos',
  'account.mfaRequired':
    'Su función exige la verificación en dos pasos antes de ver expedientes de pacientes.',
  'account.sessions': 'Dónde tiene la sesión iniciada',
  'account.sessionsEmpty': 'No hay sesiones activas.',
  'account.sessionCurrent': 'Este dispositivo',
  'account.sessionStarted': 'Inició sesión el {date}',
  'account.sessionLastSeen': 'Última actividad el {date}',
  'account.sessionUnknownDevice': 'Dispositivo desconocido',
  'account.sessionDevice': '{browser} en {os}',
  'account.sessionRevoke': 'Cerrar sesión',
  'account.sessionRevokeLabel': 'Cerrar la sesión en {device}',
  'account.revokeOthers': 'Cerrar todas las demás sesiones',
  'account.revokedOthers': 'Se cerraron {count} sesiones más.',
  'account.changePassword': 'Cambiar la contraseña',
  'account.changePasswordSubmit': 'Cambiar la contraseña',
  'account.passwordChanged': 'Su contraseña cambió.',
  'account.signOut': 'Cerrar sesión',

  'mailbox.title': 'Buzón local',
  'mailbox.intro':
    'Solo para desarrollo: el correo que envía la aplicación se queda aquí en lugar de salir. Los más recientes primero.',
  'mailbox.refresh': 'Actualizar',
  'mailbox.empty':
    'Aún no hay mensajes. Regístrese o pida restablecer una contraseña para ver uno aquí.',
  'mailbox.to': 'Para',
  'mailbox.received': 'Recibido',
  'mailbox.select': 'Elija un mensaje para leerlo.',
  'mailbox.back': 'Todos los mensajes',
  'mailbox.off': 'El buzón local está desactivado en este servidor.',

  'notFound.title': 'Página no encontrada',
  'notFound.body': 'No hay nada en esta dirección.',
  'notFound.home': 'Ir a la página de inicio',
};
