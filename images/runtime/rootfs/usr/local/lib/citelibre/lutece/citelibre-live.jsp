<%-- For `citelibre run --watch` only, installed by citelibre-install-war: once the theme's files and
     datastore rows have been replaced in the running container (citelibre-theme-reload), empties Lutece's
     caches (pages, menus, the responses kept for static files) and its template cache, so the next request
     shows the change. It acts only on a POST that carries the token the entrypoint writes when
     CITELIBRE_THEME_LIVE=1; on every other start there is no token and it answers 404. --%><%@
    page contentType="text/plain; charset=UTF-8" session="false"
         import="java.nio.charset.StandardCharsets, java.nio.file.Files, java.nio.file.Path, java.nio.file.Paths, java.security.MessageDigest,
                 fr.paris.lutece.portal.service.cache.CacheService, fr.paris.lutece.portal.service.template.AppTemplateService" %><%
    response.setHeader( "Cache-Control", "no-store" );
    Path tokenFile = Paths.get( "/run/citelibre/site/live-token" );
    if ( !Files.isReadable( tokenFile ) )
    {
        response.setStatus( 404 );
        return;
    }
    byte[] expected = new String( Files.readAllBytes( tokenFile ), StandardCharsets.UTF_8 ).trim( ).getBytes( StandardCharsets.UTF_8 );
    String given = request.getHeader( "X-Citelibre-Live-Token" );
    if ( !"POST".equals( request.getMethod( ) ) || given == null || expected.length == 0
            || !MessageDigest.isEqual( expected, given.getBytes( StandardCharsets.UTF_8 ) ) )
    {
        response.setStatus( 403 );
        out.print( "forbidden" );
        return;
    }
    // Twice: a page that was being rendered from the old files when the caches were first emptied would
    // otherwise go back into the page cache after it, and be served until the cache expires.
    for ( int pass = 0; pass < 2; pass++ )
    {
        if ( pass > 0 )
        {
            Thread.sleep( 250 );
        }
        CacheService.resetCaches( );
        AppTemplateService.resetCache( );
    }
    out.print( "caches emptied" );
%>
