#!/bin/sh
# Build time: lays out CATALINA_HOME for the chosen servlet container and CATALINA_BASE for the site.
set -eu
flavour="$1"
base=/opt/citelibre/tomcat
case "$flavour" in
  tomcat10)
    home=/usr/share/tomcat10 ;;
  tomcat9)
    # Debian 12 ships Tomcat 9 as jars only: give them the lib/ layout Tomcat's Bootstrap expects.
    home=/opt/citelibre/tomcat9-home
    mkdir -p "$home/lib"
    for jar in /usr/share/java/tomcat9-*.jar; do
      case "$jar" in *-[0-9]*.jar) continue ;; esac
      ln -sf "$jar" "$home/lib/$(basename "$jar" | sed 's/^tomcat9-//')"
    done
    ln -sf /usr/share/java/ecj.jar "$home/lib/ecj.jar" ;;
esac
ln -sfn "$home" /opt/citelibre/catalina-home
# conf/Catalina/localhost exists so Tomcat does not complain that it cannot create it (it stays root's).
mkdir -p "$base/webapps" "$base/lib" "$base/work" "$base/temp" "$base/logs" "$base/conf/Catalina/localhost"
# The JDBC driver for MariaDB, on the common class path (catalina.base/lib/*.jar) of every site.
ln -sf /usr/share/java/mariadb-java-client.jar "$base/lib/mariadb-java-client.jar"
# Tomcat writes compiled JSPs and temp files; it reads everything else.
chown -R tomcat:tomcat "$base/work" "$base/temp" "$base/logs"
chmod 0750 "$base/work" "$base/temp" "$base/logs"
