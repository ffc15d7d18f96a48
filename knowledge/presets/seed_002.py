# ruff: noqa: E501  (the articles' prose: one paragraph per line, as authors write it)
"""Seed 002's knowledge base: Nivel 1 "Tendrá acceso a contenido y material de ayuda en la
base de conocimiento", and the manual ends asking "¿Fue útil la respuesta?".

Readings:
- Nivel 1 is "Incluido en todos los servicios": every tier includes it, so the articles are
  for the customers of the three tier plans (`Article.Audience.PLANS`), not for visitors.
- "Usted será el único administrador del servicio ... responsable por la configuración": the
  articles are the low-impact case types the customer solves alone (password reset,
  instructions), and how to ask for the medium-impact ones (firewall block, backups).
- "¿Fue útil la respuesta?" is the question under every article (`ArticleFeedback`).
- Colombian customers write in Spanish; the tier guide and the password reset also have an
  English translation, the rest are Spanish only (English readers still find them).
"""

from contracts.presets.support_tiers import TIERS
from knowledge.presets import Entry, Text, articles_load

TIER_PLANS = list(TIERS)

ENTRIES = [
    Entry(
        "cuenta",
        Text(
            "restablecer-contrasena-del-panel",
            "Cómo restablecer la contraseña del panel de control",
            "Recupere el acceso a su panel sin abrir un caso: el enlace de recuperación llega "
            "al correo del titular.",
            """Como administrador de su servicio, usted mismo puede restablecer la contraseña del panel de control.

1. En la página de inicio del panel, pulse «¿Olvidó su contraseña?».
2. Escriba el usuario del servicio o el correo del titular.
3. Abra el mensaje «Restablecer contraseña» (revise también la carpeta de spam) y siga el enlace. El enlace vale por 2 horas.
4. Elija una contraseña nueva de al menos 12 caracteres, distinta de las anteriores.

Si el correo del titular ya no existe o no recibe el mensaje, abra un ticket de bajo impacto «Restablecimiento o cambio de contraseñas» desde la cuenta del titular: por seguridad, no cambiamos contraseñas por teléfono.

Tras cinco intentos fallidos, el firewall bloquea su dirección IP por un tiempo: vea «Mi IP quedó bloqueada en el firewall».""",
        ),
        Text(
            "reset-the-control-panel-password",
            "How to reset the control panel password",
            "Get back into your panel without opening a case: the recovery link goes to the "
            "account holder's email.",
            """As the administrator of your service, you can reset the control panel password yourself.

1. On the panel's sign-in page, click "Forgot your password?".
2. Type the service's username or the account holder's email.
3. Open the "Reset password" message (check the spam folder too) and follow the link. The link is valid for 2 hours.
4. Choose a new password of at least 12 characters, different from earlier ones.

If the holder's email no longer exists or the message does not arrive, open a low-impact "Password reset or change" ticket from the holder's account: for safety, we do not change passwords over the phone.

After five failed attempts the firewall blocks your IP address for a while: see "My IP was blocked by the firewall".""",
        ),
        position=10,
        plans=TIER_PLANS,
    ),
    Entry(
        "cuenta",
        Text(
            "mi-ip-quedo-bloqueada-en-el-firewall",
            "Mi IP quedó bloqueada en el firewall",
            "Si el panel, el correo o el FTP dejaron de responder solo desde su oficina, su IP "
            "puede estar bloqueada. Cómo comprobarlo y pedir el desbloqueo.",
            """El firewall del servidor bloquea una dirección IP tras varios intentos fallidos de contraseña (correo, FTP o panel). El sitio sigue funcionando para los demás, pero no desde su red.

Cómo comprobarlo: abra su sitio desde el teléfono con los datos móviles (otra red). Si allí funciona y desde la oficina no, es un bloqueo.

Qué hacer:
1. Busque su IP pública en cualquier sitio como «cuál es mi IP».
2. Corrija la contraseña guardada en los programas de correo y FTP de esa red: si siguen probando la contraseña vieja, el bloqueo vuelve.
3. Abra un ticket de impacto medio «Bloqueo de IP en el firewall» con la IP. Lo atendemos dentro del tiempo de su nivel de soporte.""",
        ),
        Text(
            "my-ip-was-blocked-by-the-firewall",
            "My IP was blocked by the firewall",
            "If the panel, email or FTP stopped answering only from your office, your IP may "
            "be blocked. How to check and ask for the unblock.",
            """The server's firewall blocks an IP address after several failed password attempts (email, FTP or panel). The site keeps working for everyone else, but not from your network.

How to check: open your site from your phone on mobile data (another network). If it works there and not from the office, it is a block.

What to do:
1. Look up your public IP on any "what is my IP" site.
2. Fix the password saved in the email and FTP programs on that network: if they keep trying the old password, the block comes back.
3. Open a medium-impact "Firewall IP block" ticket with the IP. We handle it within your support level's time.""",
        ),
        position=20,
        plans=TIER_PLANS,
    ),
    Entry(
        "sitios-web",
        Text(
            "como-restaurar-una-copia-de-seguridad",
            "Cómo restaurar una copia de seguridad",
            "Recupere archivos o bases de datos de días anteriores desde el panel, o pida la "
            "restauración completa.",
            """El panel guarda copias diarias de los últimos 7 días.

Para recuperar un archivo o una carpeta:
1. En el panel, abra «Archivos» > «Copias de seguridad».
2. Elija la fecha y navegue hasta el archivo.
3. Pulse «Restaurar»: el archivo actual se reemplaza por el de esa fecha.

Para recuperar una base de datos, elija la fecha en «Bases de datos» y pulse «Restaurar». Haga antes una copia de la actual con «Descargar», por si la necesita.

La restauración completa de la cuenta, o de una copia de más de 7 días, la hacemos nosotros: abra un ticket de impacto medio «Restauración de backups» indicando la fecha.""",
        ),
        position=10,
        plans=TIER_PLANS,
    ),
    Entry(
        "dominios",
        Text(
            "como-configurar-los-dns-de-su-dominio",
            "Cómo configurar los DNS de su dominio",
            "Los registros A, CNAME y MX más comunes, y cuánto tarda un cambio en verse.",
            """Los registros DNS dicen dónde está su sitio (A), sus alias (CNAME) y dónde recibe correo (MX).

1. En el panel, abra «Dominios» > «Editor de zona DNS» y elija el dominio.
2. Para apuntar el sitio a otro servidor, cambie el registro A de @ y de www por la IP nueva.
3. Para usar el correo de otro proveedor, reemplace los registros MX por los que le dé ese proveedor, con su prioridad.
4. Guarde. Los cambios tardan hasta 24 horas en verse en todo internet (propagación).

Si su dominio usa los servidores de nombres de otro proveedor, los cambios se hacen allí, no en nuestro panel. Si necesita ayuda, abra un ticket de impacto medio «Configuraciones de DNS».""",
        ),
        position=20,
        plans=TIER_PLANS,
    ),
    Entry(
        "soporte",
        Text(
            "niveles-de-soporte",
            "Niveles de soporte: qué incluye cada uno",
            "Nivel 1, 2 y 3: canales, horarios y tiempos de respuesta por impacto.",
            """Nivel 1 (incluido en todos los servicios): tickets o email; teléfono solo con un número de caso. Acceso a esta base de conocimiento. Respuesta: alto impacto hasta 1 hora; medio de 3 a 5 horas hábiles; bajo de 5 a 6 horas hábiles.

Nivel 2 (incluido en algunos servicios): además, chat y teléfono en horario hábil para dudas básicas e instalación. Respuesta: alto impacto hasta 1 hora; medio de 2 a 3 horas hábiles; bajo de 3 a 4 horas hábiles.

Nivel 3 (Premium, COP 120.900 + IVA al mes): email, chat y teléfono en horario hábil, atención 24/7 por ticket y asistencia remota. Respuesta en menos de 1 hora para todo impacto.

El impacto lo decide el caso: alto si afecta la continuidad del servicio (caída, ataque), medio si la afecta en parte (bloqueo de IP, backups, DNS), bajo si no la afecta (contraseñas, informes, guías de uso).""",
        ),
        Text(
            "support-levels",
            "Support levels: what each one includes",
            "Level 1, 2 and 3: channels, hours and response times by impact.",
            """Level 1 (included with every service): tickets or email; phone only with a case number. Access to this knowledge base. Response: high impact within 1 hour; medium 3 to 5 business hours; low 5 to 6 business hours.

Level 2 (included with some services): also chat and phone in business hours for basic questions and installation. Response: high impact within 1 hour; medium 2 to 3 business hours; low 3 to 4 business hours.

Level 3 (Premium, COP 120,900 + VAT a month): email, chat and phone in business hours, 24/7 ticket attention and remote assistance. Response in under 1 hour for every impact.

The case decides the impact: high when it affects the service's continuity (outage, attack), medium when it partly does (IP block, backups, DNS), low when it does not (passwords, reports, usage guides).""",
        ),
        position=20,
        plans=TIER_PLANS,
    ),
]


def load() -> None:
    articles_load(ENTRIES)
