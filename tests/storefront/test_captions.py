from storefront.templatetags.captions import hashtags


def test_hashtags_link_to_a_search_and_the_rest_is_escaped():
    html = hashtags("Enak <b>banget</b> #BeliLokal #kopi! It's")

    assert html == (
        'Enak &lt;b&gt;banget&lt;/b&gt; <a href="/search/?q=%23BeliLokal">#BeliLokal</a> '
        '<a href="/search/?q=%23kopi">#kopi</a>! It&#x27;s'
    )
