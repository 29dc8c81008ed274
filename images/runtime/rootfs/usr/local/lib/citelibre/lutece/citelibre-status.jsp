<%-- The CiteLibre runtime's start-up probe, installed by citelibre-install-war: HTTP 200 once Lutece has
     started, 503 when its start-up failed (Lutece answers its own startup failure page with HTTP 200, so a
     page's status cannot tell). It reads a flag in memory: no database, no session. The failure's cause is
     never shown here; Lutece keeps it without logging it, so the first probe that sees it logs it once. --%><%@
    page contentType="text/plain; charset=UTF-8" session="false"
         import="fr.paris.lutece.portal.service.init.AppInit, fr.paris.lutece.portal.service.util.AppLogService" %><%
    response.setHeader( "Cache-Control", "no-store" );
    if ( AppInit.isWebappSuccessfullyLoaded( ) )
    {
        out.print( "started" );
    }
    else
    {
        synchronized ( application )
        {
            if ( application.getAttribute( "citelibre.startupFailureLogged" ) == null )
            {
                application.setAttribute( "citelibre.startupFailureLogged", Boolean.TRUE );
                AppLogService.error( (Object) ( "Lutece did not start: " + AppInit.getLoadingFailureCause( )
                        + ( AppInit.getLoadingFailureDetails( ) != null ? " (" + AppInit.getLoadingFailureDetails( ) + ")" : "" ) ) );
            }
        }
        response.setStatus( 503 );
        out.print( "not started" );
    }
%>
