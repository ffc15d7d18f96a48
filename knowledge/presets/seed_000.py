# ruff: noqa: E501  (the articles' prose: one paragraph per line, as authors write it)
"""Seed 000's knowledge base: "Como configurar sus emails, como redirigir un dominio, porque
un script me da error, son algunas de las preguntas mas frecuentes ... Creamos una base de
conocimientos ... en donde podrá encontrar respuesta al 90 % de las consultas".

Readings:
- "Allí podrán resolver sus inquietudes las 24 horas": the articles are for everyone, also
  before signing in (`Article.Audience.EVERYONE`).
- The three questions the document names become tutorials, plus the two answers the
  document gives itself: where the service status is published, and which SLA and channel
  a question goes to. The customer panel is "PaneldeCliente.com", as the document calls it.
- The provider's customers write in Spanish (GMT-3, ARS); every tutorial also has an
  English translation for the portal's English readers.
"""

from knowledge.presets import Entry, Text, articles_load

ENTRIES = [
    Entry(
        "correo",
        Text(
            "como-crear-una-cuenta-de-correo",
            "Cómo crear una cuenta de correo",
            "Cree una casilla con su dominio (nombre@sudominio.com) desde PaneldeCliente.com "
            "en menos de cinco minutos.",
            """Puede crear todas las cuentas de correo que incluya su plan de hosting, sin pedirlo a soporte.

1. Ingrese a PaneldeCliente.com con su usuario y contraseña.
2. En «Mis servicios», elija el hosting del dominio y pulse «Ingresar al panel de control».
3. Abra «Correo electrónico» > «Cuentas de correo» y pulse «Crear cuenta».
4. Escriba el nombre de la casilla (lo que va antes de la @) y elija el dominio.
5. Escriba una contraseña segura: al menos 12 caracteres, con letras, números y símbolos.
6. Elija el espacio de la casilla (cuota). Si no sabe cuánto, deje 1024 MB: puede cambiarlo después.
7. Pulse «Crear». La cuenta funciona en el momento.

Para leer el correo en el navegador, entre a webmail.sudominio.com con la dirección completa y la contraseña. Para usarlo en Outlook, Thunderbird o el teléfono, siga el artículo «Cómo configurar su correo en Outlook, Thunderbird o el teléfono».

Si el panel dice que alcanzó el máximo de cuentas, su plan no admite más casillas: puede borrar una que no use o cambiar de plan.""",
        ),
        Text(
            "how-to-create-an-email-account",
            "How to create an email account",
            "Create a mailbox on your domain (name@yourdomain.com) from PaneldeCliente.com "
            "in under five minutes.",
            """You can create as many email accounts as your hosting plan includes, without asking support.

1. Sign in to PaneldeCliente.com with your username and password.
2. Under "My services", choose the domain's hosting and click "Log in to control panel".
3. Open "Email" > "Email accounts" and click "Create account".
4. Type the mailbox name (the part before the @) and choose the domain.
5. Type a strong password: at least 12 characters, with letters, numbers and symbols.
6. Choose the mailbox size (quota). If unsure, leave 1024 MB: you can change it later.
7. Click "Create". The account works right away.

To read mail in the browser, go to webmail.yourdomain.com with the full address and the password. To use it in Outlook, Thunderbird or on your phone, follow "How to set up your email in Outlook, Thunderbird or your phone".

If the panel says you reached the maximum number of accounts, your plan takes no more mailboxes: delete one you do not use or change plans.""",
        ),
        position=10,
    ),
    Entry(
        "correo",
        Text(
            "como-configurar-su-correo",
            "Cómo configurar su correo en Outlook, Thunderbird o el teléfono",
            "Los datos de servidor, puertos y seguridad para recibir y enviar correo desde "
            "cualquier programa.",
            """Use estos datos en cualquier programa de correo (Outlook, Thunderbird, Apple Mail, Gmail del teléfono):

Usuario: la dirección completa (nombre@sudominio.com).
Contraseña: la de la casilla.
Servidor de entrada IMAP: mail.sudominio.com, puerto 993, SSL/TLS.
Servidor de entrada POP3 (solo si no usa IMAP): mail.sudominio.com, puerto 995, SSL/TLS.
Servidor de salida SMTP: mail.sudominio.com, puerto 465 con SSL/TLS (o 587 con STARTTLS).
El servidor de salida requiere autenticación: marque «usar los mismos datos que el servidor de entrada».

Preferimos IMAP: los mensajes quedan en el servidor y se ven igual en la computadora y el teléfono.

Si el programa dice que el certificado no es válido, revise que escribió mail.sudominio.com con su dominio real. Si no puede enviar pero sí recibir, su proveedor de internet puede bloquear el puerto 25: use el 465 o el 587.""",
        ),
        Text(
            "how-to-set-up-your-email",
            "How to set up your email in Outlook, Thunderbird or your phone",
            "Server names, ports and security to receive and send mail from any program.",
            """Use these settings in any mail program (Outlook, Thunderbird, Apple Mail, the Gmail app):

Username: the full address (name@yourdomain.com).
Password: the mailbox's password.
Incoming server IMAP: mail.yourdomain.com, port 993, SSL/TLS.
Incoming server POP3 (only if you do not use IMAP): mail.yourdomain.com, port 995, SSL/TLS.
Outgoing server SMTP: mail.yourdomain.com, port 465 with SSL/TLS (or 587 with STARTTLS).
The outgoing server requires authentication: tick "use the same settings as the incoming server".

We recommend IMAP: messages stay on the server and look the same on your computer and phone.

If the program says the certificate is not valid, check that you typed mail.yourdomain.com with your real domain. If you can receive but not send, your internet provider may block port 25: use 465 or 587.""",
        ),
        position=20,
    ),
    Entry(
        "dominios",
        Text(
            "como-redirigir-un-dominio",
            "Cómo redirigir un dominio a otra dirección",
            "Haga que sudominio.com lleve a otra página o a otro dominio, con una redirección "
            "permanente (301).",
            """Una redirección lleva a quien visita su dominio (o una página de él) a otra dirección.

1. En PaneldeCliente.com, ingrese al panel de control del hosting.
2. Abra «Dominios» > «Redirecciones».
3. Elija el tipo: «Permanente (301)» si el cambio es definitivo (los buscadores pasan el posicionamiento a la nueva dirección), «Temporal (302)» si es por unos días.
4. Elija el dominio y, si solo quiere redirigir una página, escriba su ruta (por ejemplo /promociones).
5. Escriba la dirección de destino completa, con https://.
6. Elija si también redirige con y sin «www» y pulse «Agregar».

La redirección funciona en unos minutos. Si no la ve, pruebe en una ventana privada: el navegador recuerda las redirecciones anteriores.

Si lo que quiere es que el dominio muestre un sitio alojado en otro proveedor, no es una redirección: hay que cambiar sus registros DNS. Escríbanos por SLA 1 (Asesoramiento) y le indicamos cuáles.""",
        ),
        Text(
            "how-to-redirect-a-domain",
            "How to redirect a domain to another address",
            "Make yourdomain.com lead to another page or domain, with a permanent (301) redirect.",
            """A redirect sends whoever visits your domain (or one of its pages) to another address.

1. In PaneldeCliente.com, log in to the hosting's control panel.
2. Open "Domains" > "Redirects".
3. Choose the type: "Permanent (301)" when the change is final (search engines move the ranking to the new address), "Temporary (302)" for a few days.
4. Choose the domain and, to redirect a single page, type its path (for example /offers).
5. Type the full destination address, with https://.
6. Choose whether to redirect with and without "www" and click "Add".

The redirect works within minutes. If you do not see it, try a private window: browsers remember earlier redirects.

If you want the domain to show a site hosted elsewhere, that is not a redirect: its DNS records must change. Write to us under SLA 1 (Advice) and we tell you which.""",
        ),
        position=10,
    ),
    Entry(
        "sitios-web",
        Text(
            "por-que-un-script-me-da-error",
            "Por qué un script me da error (error 500 o página en blanco)",
            "Cómo encontrar la causa de un error 500 en su sitio: el registro de errores, la "
            "versión de PHP y los permisos.",
            """Un «Error 500» o una página en blanco casi siempre vienen del propio sitio, no del servidor. Revise en este orden:

1. El registro de errores: en el panel de control, «Métricas» > «Errores». La última línea suele nombrar el archivo y la línea que fallan.
2. La versión de PHP: en «Software» > «Seleccionar versión de PHP», compruebe que es la que pide su aplicación (WordPress, Joomla, PrestaShop). Un cambio de versión es la causa más común tras una actualización.
3. Los permisos: carpetas 755 y archivos 644. Un archivo con 777 es rechazado por el servidor por seguridad.
4. El archivo .htaccess: renómbrelo a .htaccess-viejo y vuelva a cargar la página. Si funciona, el error está en una regla de ese archivo.
5. Un complemento o tema recién instalado: desactívelo renombrando su carpeta.

Si el error empezó sin que nadie tocara el sitio y afecta a varios sitios, puede ser del servidor: mire primero «Estado del Servicio». Si no hay nada publicado allí, abra un ticket de SLA 3 (Reporte de errores) con la dirección que falla y la hora.

Los cambios en el código de su sitio son SLA 4 (Diseño web, software y relacionados) y se atienden en horario comercial.""",
        ),
        Text(
            "why-does-a-script-fail",
            "Why does a script fail (500 error or blank page)",
            "How to find the cause of a 500 error on your site: the error log, the PHP version "
            "and the permissions.",
            """A "500 Error" or a blank page almost always comes from the site itself, not the server. Check in this order:

1. The error log: in the control panel, "Metrics" > "Errors". The last line usually names the failing file and line.
2. The PHP version: in "Software" > "Select PHP version", check it is the one your application needs (WordPress, Joomla, PrestaShop). A version change is the most common cause after an update.
3. Permissions: folders 755 and files 644. A file with 777 is refused by the server for safety.
4. The .htaccess file: rename it to .htaccess-old and reload the page. If it works, the error is in a rule of that file.
5. A plugin or theme just installed: disable it by renaming its folder.

If the error started without anyone touching the site and affects several sites, it may be the server: first look at "Service status". If nothing is published there, open an SLA 3 (Error report) ticket with the failing address and the time.

Changes to your site's code are SLA 4 (Web design, software and related) and are handled in business hours.""",
        ),
        position=10,
    ),
    Entry(
        "soporte",
        Text(
            "que-sla-corresponde-a-mi-consulta",
            "Qué SLA corresponde a mi consulta y por dónde escribirnos",
            "Asesoramiento, mantenimiento, reporte de errores o diseño web: horarios, medios "
            "de contacto y el tiempo de respuesta de 2 horas.",
            """Cada consulta corresponde a un tipo de servicio (SLA), con su horario y sus medios de contacto. En todos, el análisis y la respuesta están garantizados dentro de las 2 horas del reporte.

SLA 1, Asesoramiento: dudas de uso del hosting y del correo. De lunes a viernes de 10 a 17 (GMT-3), por chat, email, ticket o teléfono.
SLA 2, Mantenimiento preventivo: las 24 horas, solo por PaneldeCliente.com.
SLA 3, Reporte de errores: algo dejó de funcionar. Las 24 horas, solo por PaneldeCliente.com.
SLA 4, Diseño web, software y relacionados: en horario comercial, por chat, email, ticket o teléfono. Fuera de ese horario no respondemos SLA 4.

Antes de escribir, mire «Estado del Servicio»: si el problema ya está publicado allí, puede seguir su resolución sin abrir un ticket.

Nuestra respuesta puede ser un tutorial (si es una consulta de uso), una sugerencia de solución externa (si el problema es ajeno a nuestro servicio) o un presupuesto para solucionarlo, según su plan.""",
        ),
        Text(
            "which-sla-fits-my-question",
            "Which SLA fits my question, and how to reach us",
            "Advice, maintenance, error reports or web design: hours, contact channels and the "
            "2-hour response.",
            """Each question belongs to a service type (SLA), with its own hours and contact channels. In all of them, analysis and an answer are guaranteed within 2 hours of the report.

SLA 1, Advice: questions on using the hosting and email. Monday to Friday 10:00 to 17:00 (GMT-3), by chat, email, ticket or phone.
SLA 2, Preventive maintenance: 24 hours a day, only through PaneldeCliente.com.
SLA 3, Error reports: something stopped working. 24 hours a day, only through PaneldeCliente.com.
SLA 4, Web design, software and related: in business hours, by chat, email, ticket or phone. We do not answer SLA 4 outside those hours.

Before writing, look at "Service status": if the problem is already published there, you can follow its resolution without opening a ticket.

Our answer may be a tutorial (for a usage question), a suggested outside solution (when the problem is beyond our service) or a quote to fix it, depending on your plan.""",
        ),
        position=10,
    ),
]


def load() -> None:
    articles_load(ENTRIES)
